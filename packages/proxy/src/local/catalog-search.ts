import type { Passage, Product } from './knowledge-base';
import { PassageIndex } from './search';

/**
 * A structured search over the store's catalog: words ranked by relevance, and hard filters on
 * price, category and any catalog field. It answers only with the catalog's own entries.
 *
 * @example
 * const catalog = buildCatalog(knowledgeBase.passages); // once
 * searchCatalog(catalog, { words: 'rain jacket', maxPrice: 200, attributes: { size: 'M' } }, 5);
 *
 * @module
 */

/** What a catalog search asks for. Every part is optional; an empty query lists the catalog, cheapest first. */
export interface CatalogQuery {
  /** A need in words ("warm gloves for winter"). Ranks the products; a product none of the words match is left out. */
  words?: string;
  /** Lowest price, inclusive, in the catalog's currency. */
  minPrice?: number;
  /** Highest price, inclusive, in the catalog's currency. */
  maxPrice?: number;
  /** The product's `category`, case-insensitive ("bike" finds "Bikes"). */
  category?: string;
  /**
   * Catalog fields by name and the value wanted, e.g. `{ color: "navy", size: "M", material: "wool" }`.
   * A name matches a field case-insensitively, singular or plural (`color` → `colors`); a value
   * matches when all its words are in the field's value (in one element of a list).
   */
  attributes?: Record<string, string>;
}

/** One product of the catalog, with the passage it was indexed as. */
export interface CatalogEntry {
  product: Product;
  passage: Passage;
}

/** The catalog, indexed once by {@link buildCatalog}; read-only afterwards. */
export interface Catalog {
  readonly entries: readonly CatalogEntry[];
  /** BM25 index over the product passages only, so the words' scores compare products with products. */
  readonly index: PassageIndex;
  /** The categories of the catalog, as written in it, sorted. */
  readonly categories: readonly string[];
  /** The fields attributes can name (`colors`, `sizes`, `warranty`…), as written in the catalog, sorted. */
  readonly fields: readonly string[];
}

/** A product a search found. */
export interface CatalogHit extends CatalogEntry {
  /** The words' BM25 score among product passages; 0 when the query has no words. */
  relevance: number;
}

/** A query that cannot be run: its message says what is wrong, in words a model or a person can act on. */
export class CatalogQueryError extends Error {
  override readonly name = 'CatalogQueryError';
}

/** Results a search returns when the caller gives no limit. */
export const DEFAULT_CATALOG_LIMIT = 5;
/** Most results one search returns, whatever the limit asked: the results go into a prompt or a reply. */
export const MAX_CATALOG_LIMIT = 20;
/** Longest `words`, in characters: a need in words, not a document (the handler's messages are 4,000 at most). */
export const MAX_WORDS_LENGTH = 500;
/** Longest category or attribute value, in characters. */
export const MAX_VALUE_LENGTH = 200;
/** Most attributes one query may filter on. */
export const MAX_ATTRIBUTES = 10;

const QUERY_KEYS = new Set(['words', 'minPrice', 'maxPrice', 'category', 'attributes']);
/** Fields that are not attributes of the product itself (links and pictures). */
const NOT_ATTRIBUTES = new Set(['url', 'image', 'imageAlt']);
/** Spellings of field names that mean another one ("colour" is the catalog's `colors`). */
const FIELD_ALIASES: Record<string, string> = { colour: 'color', colours: 'colors' };

/**
 * Indexes the catalog: the product passages of a knowledge base (`loadKnowledgeBase(dir).passages`;
 * pages are ignored). Build it once and reuse it for every search.
 */
export function buildCatalog(passages: readonly Passage[]): Catalog {
  const entries: CatalogEntry[] = passages.flatMap((passage) => (passage.kind === 'product' && passage.product ? [{ product: passage.product, passage }] : []));
  const categories = new Set<string>();
  const fields = new Set<string>();
  for (const { product } of entries) {
    if (typeof product.category === 'string' && product.category.trim()) categories.add(product.category);
    for (const [field, value] of Object.entries(product)) if (!NOT_ATTRIBUTES.has(field) && valueWords(value).length) fields.add(field);
  }
  return {
    entries,
    index: new PassageIndex(entries.map(({ passage }) => passage)),
    categories: [...categories].sort(),
    fields: [...fields].sort(),
  };
}

/**
 * Checks a query that comes from outside (a model's tool call, a request body) and returns it typed.
 * `null` counts as absent (models often send it for optional fields); blank words or category too.
 *
 * @throws {CatalogQueryError} when it is not an object, has unknown keys, a field of the wrong
 * type, a negative or non-finite price, `minPrice` above `maxPrice`, or a value over its length bound.
 */
export function parseCatalogQuery(input: unknown): CatalogQuery {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CatalogQueryError('The query must be a JSON object.');
  const record = input as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !QUERY_KEYS.has(key));
  if (unknown.length) {
    throw new CatalogQueryError(
      `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}: use words, minPrice, maxPrice, category, and attributes for any other catalog field (e.g. {"attributes":{"color":"navy"}}).`,
    );
  }
  const query: CatalogQuery = {};
  const words = text(record.words, 'words', MAX_WORDS_LENGTH);
  if (words) query.words = words;
  const category = text(record.category, 'category', MAX_VALUE_LENGTH);
  if (category) query.category = category;
  const minPrice = price(record.minPrice, 'minPrice');
  if (minPrice !== undefined) query.minPrice = minPrice;
  const maxPrice = price(record.maxPrice, 'maxPrice');
  if (maxPrice !== undefined) query.maxPrice = maxPrice;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw new CatalogQueryError(`minPrice (${minPrice}) is above maxPrice (${maxPrice}).`);
  }
  if (record.attributes !== undefined && record.attributes !== null) {
    if (typeof record.attributes !== 'object' || Array.isArray(record.attributes)) {
      throw new CatalogQueryError('attributes must be an object of field names to values, e.g. {"color":"navy","size":"M"}.');
    }
    const pairs = Object.entries(record.attributes as Record<string, unknown>).filter(([, value]) => value !== null && value !== undefined);
    if (pairs.length > MAX_ATTRIBUTES) throw new CatalogQueryError(`At most ${MAX_ATTRIBUTES} attributes per search.`);
    const attributes: Record<string, string> = {};
    for (const [field, value] of pairs) {
      if (!field.trim()) throw new CatalogQueryError('An attribute needs a field name.');
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new CatalogQueryError(`attributes.${field} must be a string (one value; search again for another).`);
      }
      const wanted = String(value).trim();
      if (!wanted) throw new CatalogQueryError(`attributes.${field} is empty.`);
      if (wanted.length > MAX_VALUE_LENGTH) throw new CatalogQueryError(`attributes.${field} is longer than ${MAX_VALUE_LENGTH} characters.`);
      attributes[field] = wanted;
    }
    if (Object.keys(attributes).length) query.attributes = attributes;
  }
  return query;
}

/**
 * Searches the catalog. Price, category and attributes are hard filters (a product without the
 * field asked for does not match; with a price filter, one without a price does not either).
 * With words, only products the words match are kept, ranked by their BM25 score among product
 * passages, equal scores cheapest first; without words, the filtered products cheapest first
 * (those without a price last). Ties end in catalog order.
 *
 * @param limit Most results, 1–{@link MAX_CATALOG_LIMIT}. @default DEFAULT_CATALOG_LIMIT
 * @throws {CatalogQueryError} when the query is invalid (see {@link parseCatalogQuery}) or the limit is not a positive integer.
 */
export function searchCatalog(catalog: Catalog, query: CatalogQuery, limit: number = DEFAULT_CATALOG_LIMIT): CatalogHit[] {
  const checked = parseCatalogQuery(query);
  if (!Number.isInteger(limit) || limit < 1) throw new CatalogQueryError(`limit must be a positive integer, not ${String(limit)}.`);
  const position = new Map(catalog.entries.map((entry, index) => [entry.product, index]));
  let hits: CatalogHit[];
  if (checked.words) {
    // Every product passage is scored, so the filters below see all the words' matches.
    const byPassage = new Map(catalog.entries.map((entry) => [entry.passage.id, entry]));
    hits = catalog.index.search(checked.words, catalog.entries.length).flatMap(({ passage, score }) => {
      const entry = byPassage.get(passage.id);
      return entry ? [{ ...entry, relevance: score }] : [];
    });
  } else {
    hits = catalog.entries.map((entry) => ({ ...entry, relevance: 0 }));
  }
  const attributes = Object.entries(checked.attributes ?? {}).map(([field, value]) => ({ key: fieldKey(field), words: valueWords(value) }));
  const categoryWords = checked.category ? valueWords(checked.category) : [];
  const priced = checked.minPrice !== undefined || checked.maxPrice !== undefined;
  return hits
    .filter(({ product }) => {
      if (priced && !hasPrice(product)) return false;
      if (checked.minPrice !== undefined && product.price < checked.minPrice) return false;
      if (checked.maxPrice !== undefined && product.price > checked.maxPrice) return false;
      if (checked.category && !matches(product.category, categoryWords)) return false;
      return attributes.every(({ key, words }) => matches(fieldOf(product, key), words));
    })
    .sort(
      (a, b) =>
        b.relevance - a.relevance ||
        priceOrder(a.product) - priceOrder(b.product) ||
        (position.get(a.product) ?? 0) - (position.get(b.product) ?? 0),
    )
    .slice(0, Math.min(limit, MAX_CATALOG_LIMIT));
}

function text(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CatalogQueryError(`${name} must be a string, not ${Array.isArray(value) ? 'an array' : typeof value}.`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw new CatalogQueryError(`${name} is longer than ${max} characters.`);
  return trimmed || undefined;
}

function price(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CatalogQueryError(`${name} must be a number (e.g. 100), not ${JSON.stringify(value) ?? typeof value}.`);
  if (value < 0) throw new CatalogQueryError(`${name} cannot be negative (${value}).`);
  return value;
}

function hasPrice(product: Product): boolean {
  return typeof product.price === 'number' && Number.isFinite(product.price);
}

/** A product's price for ordering; one without a price comes after every priced one. */
function priceOrder(product: Product): number {
  return hasPrice(product) ? product.price : Number.POSITIVE_INFINITY;
}

/** A field name folded for comparison: lower case, letters and digits only, singular ("Colours" → "color"). */
function fieldKey(name: string): string {
  const folded = name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  return singular(FIELD_ALIASES[folded] ?? folded);
}

/** The product's field an attribute names (`color` → `colors`, `frame_material` → `frameMaterial`). */
function fieldOf(product: Product, key: string): unknown {
  for (const [field, value] of Object.entries(product)) if (!NOT_ATTRIBUTES.has(field) && fieldKey(field) === key) return value;
  return undefined;
}

/** Whether all the wanted words are in the value (in one element when it is a list). */
function matches(value: unknown, wanted: string[]): boolean {
  if (!wanted.length) return true;
  const candidates = Array.isArray(value) ? value : [value];
  return candidates.some((candidate) => {
    const words = new Set(valueWords(candidate));
    return wanted.every((word) => words.has(word));
  });
}

/** The words of a catalog value (strings, numbers, booleans; lists element by element), folded. */
function valueWords(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(valueWords);
  if (typeof value === 'boolean') return [value ? 'true' : 'false'];
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return [];
  return String(value)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+|(?<!\d)\.|\.(?!\d)/u)
    .filter(Boolean)
    .map(singular);
}

/** Folds a simple English plural ("sizes" → "size", "accessories" → "accessory"); short words ("xs", "us") stay. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
