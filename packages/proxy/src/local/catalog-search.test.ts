import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalog,
  CatalogQueryError,
  MAX_CATALOG_LIMIT,
  parseCatalogQuery,
  searchCatalog,
  type Catalog,
  type CatalogQuery,
} from './catalog-search';
import { loadKnowledgeBase, type Passage } from './knowledge-base';

/** A small store: clothing with colours, sizes and materials, bikes with fields of their own, a page. */
const STORE_PRODUCTS = [
  { slug: 'merino-sweater', name: 'Merino Crew Sweater', category: 'Knitwear', description: 'A warm merino wool sweater for cold days.', price: 120, materials: ['Merino wool'], sizes: ['S', 'M', 'L'], colors: ['Navy', 'Oatmeal'], care: 'Hand wash cold.' },
  { slug: 'cotton-sweater', name: 'Cotton Cable Sweater', category: 'Knitwear', description: 'A light cotton sweater with a cable knit.', price: 85, materials: ['Organic cotton'], sizes: ['M', 'L', 'XL'], colors: ['Navy blue', 'Red'] },
  { slug: 'wool-beanie', name: 'Wool Beanie', category: 'Accessories', description: 'A ribbed wool hat that keeps your ears warm.', price: 35, materials: ['Lambswool'], colors: ['Navy', 'Grey'] },
  { slug: 'rain-jacket', name: 'Storm Rain Jacket', category: 'Outerwear', description: 'A waterproof jacket with taped seams for heavy rain.', price: 180, sizes: ['S', 'M', 'L', 'XL'], colors: ['Yellow', 'Black'], inStock: false },
  { slug: 'city-bike', name: 'Harbor City Bike', category: 'Bikes', description: 'A light city bike with hub gears and mudguards.', price: 690, currency: 'EUR', sizes: ['S', 'M', 'L'], colors: ['Navy', 'Sand'], frameMaterial: 'Aluminium', warranty: 'Lifetime on the frame.' },
  { slug: 'gift-card', name: 'Gift Card', category: 'Accessories', description: 'A gift card for any amount, sent by email.' },
];

let dir = '';
let catalog: Catalog;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'catalog-search-'));
  await writeFile(join(dir, 'products.json'), JSON.stringify(STORE_PRODUCTS));
  await writeFile(join(dir, 'sweaters.md'), '---\nurl: /guides/sweaters\n---\n# Choosing a sweater\n\nMerino wool sweaters are warm; cotton sweaters are light.\n');
  catalog = buildCatalog((await loadKnowledgeBase(dir, { warn: () => {} })).passages);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const slugs = (query: CatalogQuery, limit?: number) => searchCatalog(catalog, query, limit).map(({ product }) => product.slug);

describe('buildCatalog', () => {
  it('indexes the product passages only, and lists their categories and fields', () => {
    expect(catalog.entries.map(({ product }) => product.slug)).toEqual(STORE_PRODUCTS.map(({ slug }) => slug));
    expect(catalog.categories).toEqual(['Accessories', 'Bikes', 'Knitwear', 'Outerwear']);
    expect(catalog.fields).toEqual(expect.arrayContaining(['colors', 'sizes', 'materials', 'frameMaterial', 'warranty', 'price', 'inStock']));
    expect(catalog.fields).not.toContain('url');
    // The guide page mentions sweaters, but a catalog search never returns a page.
    expect(searchCatalog(catalog, { words: 'choosing sweater' }).every(({ passage }) => passage.kind === 'product')).toBe(true);
  });

  it('is empty for a knowledge base without products', () => {
    const empty = buildCatalog([]);
    expect(empty.entries).toEqual([]);
    expect(searchCatalog(empty, { words: 'sweater', maxPrice: 10 })).toEqual([]);
  });
});

describe('searchCatalog', () => {
  it('ranks by the words\' relevance and leaves out products the words do not match', () => {
    const hits = searchCatalog(catalog, { words: 'wool sweater' });
    expect(hits[0]!.product.slug).toBe('merino-sweater');
    expect(hits.map(({ product }) => product.slug)).not.toContain('city-bike');
    expect(hits.every(({ relevance }) => relevance > 0)).toBe(true);
    for (let position = 1; position < hits.length; position++) expect(hits[position - 1]!.relevance).toBeGreaterThanOrEqual(hits[position]!.relevance);
    expect(slugs({ words: 'laptop' })).toEqual([]);
  });

  it('applies price filters as hard filters, bounds included', () => {
    expect(slugs({ words: 'sweater', maxPrice: 100 })).toEqual(['cotton-sweater']);
    expect(slugs({ words: 'sweater', minPrice: 85, maxPrice: 120 }).sort()).toEqual(['cotton-sweater', 'merino-sweater']);
    expect(slugs({ minPrice: 100, maxPrice: 200 })).toEqual(['merino-sweater', 'rain-jacket']);
    // A product without a price never passes a price filter.
    expect(slugs({ minPrice: 0 })).not.toContain('gift-card');
  });

  it('without words, lists the filtered products cheapest first, those without a price last', () => {
    expect(slugs({}, 10)).toEqual(['wool-beanie', 'cotton-sweater', 'merino-sweater', 'rain-jacket', 'city-bike', 'gift-card']);
    expect(slugs({ category: 'knitwear' })).toEqual(['cotton-sweater', 'merino-sweater']);
    expect(searchCatalog(catalog, {}).every(({ relevance }) => relevance === 0)).toBe(true);
  });

  it('matches the category case-insensitively, singular or plural', () => {
    expect(slugs({ category: 'BIKE' })).toEqual(['city-bike']);
    expect(slugs({ category: 'accessory' })).toEqual(['wool-beanie', 'gift-card']);
    expect(slugs({ category: 'Shoes' })).toEqual([]);
  });

  it('matches attributes against fields by name, singular or plural, any case', () => {
    expect(slugs({ attributes: { color: 'navy' } })).toEqual(['wool-beanie', 'cotton-sweater', 'merino-sweater', 'city-bike']);
    expect(slugs({ attributes: { Colours: 'NAVY', size: 'm' } })).toEqual(['cotton-sweater', 'merino-sweater', 'city-bike']);
    expect(slugs({ attributes: { size: 'XL' } })).toEqual(['cotton-sweater', 'rain-jacket']);
    expect(slugs({ attributes: { material: 'wool' } })).toEqual(['merino-sweater']);
    expect(slugs({ attributes: { materials: 'lambswool' } })).toEqual(['wool-beanie']);
    // Fields of the store's own, by their name in any spelling.
    expect(slugs({ attributes: { frame_material: 'aluminium' } })).toEqual(['city-bike']);
    expect(slugs({ attributes: { warranty: 'lifetime' } })).toEqual(['city-bike']);
    expect(slugs({ attributes: { inStock: 'false' } })).toEqual(['rain-jacket']);
    // Every word of the value must be in one value of the field; a product without the field does not match.
    expect(slugs({ attributes: { color: 'navy blue' } })).toEqual(['cotton-sweater']);
    expect(slugs({ attributes: { color: 'navy grey' } })).toEqual([]);
    expect(slugs({ attributes: { sleeve: 'long' } })).toEqual([]);
  });

  it('combines words and every filter', () => {
    expect(slugs({ words: 'warm', maxPrice: 150, category: 'knitwear', attributes: { color: 'navy', size: 'S' } })).toEqual(['merino-sweater']);
  });

  it('breaks equal relevance by price, cheapest first', () => {
    // Two entries alike but for colour and price: "scarf" scores them the same.
    const scarf = (slug: string, color: string, price: number): Passage => {
      const product = { slug, name: `${color} Scarf`, description: 'A soft scarf.', price };
      return { id: `scarves.json#${slug}`, file: 'scarves.json', title: product.name, heading: '', text: `${product.description}\n- **Price:** $${price}.00`, url: `/products/${slug}`, kind: 'product', product };
    };
    const scarves = buildCatalog([scarf('red-scarf', 'Red', 30), scarf('blue-scarf', 'Blue', 20)]);
    const hits = searchCatalog(scarves, { words: 'scarf' });
    expect(hits[0]!.relevance).toBe(hits[1]!.relevance);
    expect(hits.map(({ product }) => product.slug)).toEqual(['blue-scarf', 'red-scarf']);
  });

  it('honours the limit, up to its maximum', () => {
    expect(slugs({}, 2)).toEqual(['wool-beanie', 'cotton-sweater']);
    expect(searchCatalog(catalog, {}, MAX_CATALOG_LIMIT + 100)).toHaveLength(STORE_PRODUCTS.length);
    expect(() => searchCatalog(catalog, {}, 0)).toThrow(CatalogQueryError);
    expect(() => searchCatalog(catalog, {}, 1.5)).toThrow(/positive integer/);
  });

  it('rejects an invalid query with a clear error instead of crashing', () => {
    const invalid: [unknown, RegExp][] = [
      [{ minPrice: -1 }, /minPrice cannot be negative/],
      [{ maxPrice: -0.5 }, /maxPrice cannot be negative/],
      [{ minPrice: 200, maxPrice: 100 }, /minPrice \(200\) is above maxPrice \(100\)/],
      [{ words: 42 }, /words must be a string, not number/],
      [{ words: ['wool'] }, /words must be a string, not an array/],
      [{ maxPrice: '100' }, /maxPrice must be a number/],
      [{ maxPrice: Number.NaN }, /maxPrice must be a number/],
      [{ category: {} }, /category must be a string/],
      [{ attributes: ['navy'] }, /attributes must be an object/],
      [{ attributes: { color: ['navy', 'red'] } }, /attributes\.color must be a string/],
      [{ attributes: { color: '  ' } }, /attributes\.color is empty/],
      [{ color: 'navy' }, /Unknown field "color".*attributes/],
      [{ words: 'x'.repeat(501) }, /words is longer than 500/],
      [null, /must be a JSON object/],
      ['wool', /must be a JSON object/],
    ];
    for (const [query, message] of invalid) {
      expect(() => searchCatalog(catalog, query as CatalogQuery), JSON.stringify(query)).toThrow(message);
      expect(() => parseCatalogQuery(query)).toThrow(CatalogQueryError);
    }
  });
});

describe('parseCatalogQuery', () => {
  it('returns the query typed, nulls and blanks as absent, numbers and booleans of attributes as text', () => {
    expect(parseCatalogQuery({ words: ' rain jacket ', minPrice: null, maxPrice: 150, category: '', attributes: { size: 'M', sizeEu: 40, inStock: true, color: null } })).toEqual({
      words: 'rain jacket',
      maxPrice: 150,
      attributes: { size: 'M', sizeEu: '40', inStock: 'true' },
    });
    expect(parseCatalogQuery({})).toEqual({});
    expect(parseCatalogQuery({ minPrice: 0, maxPrice: 0 })).toEqual({ minPrice: 0, maxPrice: 0 });
  });
});
