import type { ProductCard, Source, ThreadMessage } from '@concierge/core';
import { linkTo, type KnowledgeBase, type Passage, type Product } from './knowledge-base';
import { processTerm, type PassageIndex } from './search';

/** An answer the shop assistant is sure of: from the catalog's own fields, or small talk. */
export interface ShopAnswer {
  text: string;
  sources: Source[];
  products: ProductCard[];
  confidence: number;
}

interface CatalogProduct {
  product: Product;
  passage: Passage;
  /** The product's name, as processed terms. */
  terms: string[];
}

/** The catalog fields a question can ask about, and the words that ask for each. */
export const ATTRIBUTES: { field: string; label: string; pattern: RegExp }[] = [
  { field: 'care', label: 'Care', pattern: /\b(wash\w*|clean\w*|care|dry|drying|iron\w*|tumble|dishwasher|launder\w*|season\w*|look after|maintain\w*)\b/i },
  { field: 'fit', label: 'Fit', pattern: /\b(fit|fits|fitting|runs? (?:small|large|big)|true to size|snug|loose)\b/i },
  { field: 'sizes', label: 'Sizes', pattern: /\b(sizes?|sizing)\b/i },
  { field: 'colors', label: 'Colours', pattern: /\b(colou?rs?|shades?)\b/i },
  { field: 'materials', label: 'Materials', pattern: /\b(materials?|made (?:of|from)|fabric|what is it made)\b/i },
  { field: 'dimensions', label: 'Dimensions', pattern: /\b(dimensions?|how (?:big|large|wide|tall|long)|measure\w*|capacity)\b/i },
  { field: 'weight', label: 'Weight', pattern: /\b(weigh\w*|how heavy)\b/i },
  { field: 'compatibility', label: 'Compatibility', pattern: /\b(compatib\w*|work with|works with|use (?:it )?(?:on|with)|fit (?:in|a|my)|induction)\b/i },
  { field: 'price', label: 'Price', pattern: /\b(price|prices|cost\w*|how much|expensive)\b/i },
];
const KNOWN_FIELDS = new Set(['slug', 'name', 'description', 'price', 'currency', 'category', 'url', 'image', 'imageAlt', 'availability', 'inStock', ...ATTRIBUTES.map(({ field }) => field)]);

const GREETING = /^(hi|hello|hey|hiya|good (?:morning|afternoon|evening)|bonjour|hallo|hola)\b[\s!.,]*(there|team|concierge)?[\s!.]*$/i;
const THANKS = /^(?:ok(?:ay)?[,! ]*)?(thanks?|thank you|thx|cheers|great,? thanks|perfect,? thanks?)\b.{0,20}$/i;
const GOODBYE = /^(bye|goodbye|see you|see ya|that'?s all|have a (?:good|nice) (?:day|one))\b.{0,20}$/i;
const RECOMMEND = /\b(recommend\w*|suggest\w*|looking for|look for|i need|i want|want something|need something|what (?:should|would|do you) (?:i|you) (?:get|buy|recommend)|something (?:for|to|that)|anything (?:for|to|that)|best for|good for|options?)\b|\b(?:a|as a) gift\b|\bgift (?:for|ideas?)\b/i;
const SELL = /\b(?:do|does) (?:you|the store|your (?:shop|store)) (?:sell|have|carry|stock|offer|make)\s+(?:any\s+|a\s+|an\s+)?(.+?)[?.!]*$/i;
const ORDER = /\b(where(?:'s| is) my (?:order|package|parcel|delivery)|track\w* (?:my )?(?:order|package|parcel)|order (?:status|number)|my order|(?:hasn'?t|has not|didn'?t|did not|never) (?:arrived|come|shown up))\b/i;
const FOLLOW_UP = /^(and|what about|how about|also|ok(?:ay)?,? (?:and|what)|in)\b|\b(it|its|it's|this one|that one|they|them|those)\b/i;
/** Words that ask or filter rather than describe the need ("recommend", "under", "dollars"…). */
const REQUEST_WORDS = new Set(
  `someone somebody love loves like likes enjoy enjoys person friend recommend recommendation suggest suggestion looking look want need gift present something anything good best
  option buy get show find under below less cheaper cheap over above more least dollar euro pound usd eur gbp
  price cost size colour color what which item product thing one some store shop catalog cheapest expensive
  pricier within max maximum minimum most`
    .split(/\s+/)
    .map((word) => processTerm(word) ?? word),
);
const MAX_PRICE = /\b(?:under|below|less than|cheaper than|at most|max(?:imum)?|up to|within)\s*(?:\$|€|£|usd\s*)?\s*(\d+(?:[.,]\d+)?)/i;
const MIN_PRICE = /\b(?:over|above|more than|at least|from|pricier than)\s*(?:\$|€|£|usd\s*)?\s*(\d+(?:[.,]\d+)?)/i;

/** "Where is my order?", "my order hasn't arrived"…: a question for the order pages (or the order lookup). */
export function isOrderQuestion(question: string): boolean {
  return ORDER.test(question);
}

/**
 * The part of the local provider that knows the store's catalog: precise answers from a
 * product's own fields, recommendations ranked from the catalog with the question's filters,
 * "do you sell X?", small talk, and follow-ups that refer to the product of the previous turns.
 * It answers only from the knowledge base (never a product or price the catalog does not have),
 * and returns `undefined` when the question is for the page search instead.
 */
export function createShopAssistant(knowledgeBase: KnowledgeBase, index: PassageIndex) {
  const catalog: CatalogProduct[] = knowledgeBase.passages
    .filter((passage) => passage.product)
    .map((passage) => ({ product: passage.product!, passage, terms: termsOf(passage.product!.name) }));
  // How many product names share each term: a term unique to one name names that product.
  const nameUse = new Map<string, number>();
  for (const { terms } of catalog) for (const term of new Set(terms)) nameUse.set(term, (nameUse.get(term) ?? 0) + 1);
  // A category's word ("bike" in a bike shop) names no single product, even if one name has it.
  for (const { product } of catalog) for (const term of termsOf(product.category ?? '')) nameUse.set(term, Number.POSITIVE_INFINITY);
  const categories = new Map(catalog.flatMap(({ product }) => (product.category ? [[fold(product.category), product.category] as const] : [])));
  // Colours by their folded form, to their name in the catalog.
  const colorNames = new Map(catalog.flatMap(({ product }) => (product.colors ?? []).map((color) => [fold(color), color] as const)));
  const colors = new Set(colorNames.keys());
  // Material words of the catalog ("merino", "linen", "leather"…), for "something in linen".
  const materialTerms = new Set(catalog.flatMap(({ product }) => (product.materials ?? []).flatMap(termsOf)).filter((term) => term.length > 3 && !/^\d/.test(term)));

  /** The catalog product a text names, by the terms of its name (a term unique to it, or most of its name). */
  const named = (text: string): CatalogProduct | undefined => {
    const terms = new Set(termsOf(text));
    let best: { item: CatalogProduct; score: number } | undefined;
    for (const item of catalog) {
      let score = 0;
      for (const term of new Set(item.terms)) if (terms.has(term)) score += 1 / nameUse.get(term)!;
      const share = item.terms.filter((term) => terms.has(term)).length / item.terms.length;
      if ((score >= 1 || share >= 0.66) && (!best || score > best.score)) best = { item, score };
    }
    return best?.item;
  };

  /** The product the conversation is about: the last one the assistant showed, or one the shopper named. */
  const inConversation = (history: ThreadMessage[]): CatalogProduct | undefined => {
    for (const message of [...history].reverse()) {
      const card = message.role === 'assistant' ? message.products?.[0] : undefined;
      const found = card ? catalog.find(({ product }) => product.slug === card.id) : named(message.text);
      if (found) return found;
    }
    return undefined;
  };

  const answer = (text: string, items: CatalogProduct[], reasons: (string | undefined)[] = []): ShopAnswer => ({
    text,
    sources: items.map(({ passage }) => ({ title: passage.title, ...(passage.url ? { url: passage.url } : {}) })),
    products: items.map((item, position) => cardOf(item.product, item.passage.url, reasons[position])),
    confidence: 1,
  });

  const attributeAnswer = (item: CatalogProduct, asked: string): ShopAnswer | undefined => {
    const { product } = item;
    // The product's own name says nothing about what is asked ("cast iron" is not about ironing).
    const nameWords = product.name.split(/[^\p{L}\p{N}]+/u).filter((word) => processTerm(word) !== null).map(escape);
    const question = nameWords.length ? asked.replace(new RegExp(`\\b(${nameWords.join('|')})\\b`, 'giu'), ' ') : asked;
    const name = `the **${product.name}**`;
    // A colour or size asked about directly ("and in navy?", "do you have it in XL?").
    const color = (product.colors ?? []).find((candidate) => new RegExp(`\\b${escape(candidate)}\\b`, 'i').test(question));
    const askedColor = [...colors].find((candidate) => new RegExp(`\\b${escape(candidate)}\\b`, 'i').test(question));
    if (askedColor && !/\b(colou?rs?)\b/i.test(question)) {
      return color
        ? answer(`Yes: ${name} comes in ${color}. Its colours are ${listOf(product.colors!)}.`, [item])
        : answer(`No, ${name} does not come in ${colorNames.get(askedColor)}. It comes in ${listOf(product.colors ?? [])}.`, [item]);
    }
    const size = /\b(?:size|in|an?)\s+(XXS|XS|S|M|L|XL|XXL|\d{1,2})\b/.exec(question)?.[1];
    if (size && product.sizes?.length && !/\bsizes\b/i.test(question)) {
      return product.sizes.some((candidate) => candidate.toUpperCase() === size.toUpperCase())
        ? answer(`Yes: ${name} comes in size ${size}. Its sizes are ${listOf(product.sizes)}.`, [item])
        : answer(`No, ${name} does not come in size ${size}. It comes in ${listOf(product.sizes)}.`, [item]);
    }
    // Any other field of the entry, named in the question ("warranty", "capacity", "origin"…).
    for (const [field, value] of Object.entries(product)) {
      if (KNOWN_FIELDS.has(field) || value === undefined || (typeof value === 'object' && !Array.isArray(value))) continue;
      const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
      if (new RegExp(`\\b${escape(words)}`, 'i').test(question)) {
        return answer(`${capital(words)} of ${name}: ${Array.isArray(value) ? listOf(value.map(String)) : String(value)}`, [item]);
      }
    }
    for (const { field, label, pattern } of ATTRIBUTES) {
      if (!pattern.test(question)) continue;
      if (field === 'price') {
        if (!Number.isFinite(product.price)) continue;
        return answer(`${capital(name)} costs ${priceOf(product)}.`, [item]);
      }
      const value = product[field];
      if (value === undefined || (Array.isArray(value) && !value.length)) {
        return answer(`The catalog does not say about the ${label.toLowerCase()} of ${name}. ${product.description}`, [item]);
      }
      return answer(`${label} of ${name}: ${Array.isArray(value) ? listOf(value.map(String)) : String(value)}`, [item]);
    }
    return undefined;
  };

  const recommend = (question: string, need: string): ShopAnswer | undefined => {
    const max = Number(MAX_PRICE.exec(question)?.[1]?.replace(',', '.'));
    const min = Number(MIN_PRICE.exec(question)?.[1]?.replace(',', '.'));
    const color = [...colors].find((candidate) => new RegExp(`\\b${escape(candidate)}\\b`, 'i').test(question));
    const category = [...categories.keys()].find((candidate) => termsOf(question).some((term) => term === candidate || fold(term) === candidate));
    const size = /\bsize\s+(\w+)\b/i.exec(question)?.[1] ?? /\b(XXS|XS|XL|XXL)\b/.exec(question)?.[1];
    const material = termsOf(question).find((term) => materialTerms.has(term) && !named(term));
    const narrowing = [Number.isFinite(max), Number.isFinite(min), color, size, material].filter(Boolean).length;
    // A category alone ("how long does bike delivery take?") is not a shopping request.
    const filters = narrowing + (category && (narrowing || RECOMMEND.test(question)) ? 1 : 0);
    if (!filters && !RECOMMEND.test(question)) return undefined;
    const matches = (item: CatalogProduct) =>
      (!Number.isFinite(max) || item.product.price <= max) &&
      (!Number.isFinite(min) || item.product.price >= min) &&
      (!color || (item.product.colors ?? []).some((candidate) => fold(candidate) === color)) &&
      (!category || fold(item.product.category ?? '') === category) &&
      (!size || (item.product.sizes ?? []).some((candidate) => candidate.toUpperCase() === size.toUpperCase())) &&
      (!material || (item.product.materials ?? []).some((text) => termsOf(text).includes(material)));
    // Ranked by how well the entry meets the need in words; with filters only, by price.
    const relevance = new Map<CatalogProduct, number>();
    const needTerms = termsOf(need).filter(
      (term) => !categories.has(term) && !REQUEST_WORDS.has(term) && !colors.has(term) && term !== material && !/^\d/.test(term) && !/^(xx?s|xx?l|s|m|l)$/.test(term),
    );
    if (needTerms.length) {
      for (const match of index.search(needTerms.join(' '), 40)) {
        const item = catalog.find(({ passage }) => passage === match.passage);
        // One word must be met; more may be met in part ("warm sweater for winter hiking").
        if (item && match.coverage >= (needTerms.length >= 3 ? 0.34 : needTerms.length === 2 ? 0.5 : 1)) relevance.set(item, match.score);
      }
    }
    let ranked = catalog.filter(matches);
    if (relevance.size) ranked = ranked.filter((item) => relevance.has(item));
    ranked.sort((a, b) => (relevance.get(b) ?? 0) - (relevance.get(a) ?? 0) || a.product.price - b.product.price);
    // Nothing in the catalog meets the need: the store's pages may still answer.
    if (!filters && !relevance.size) return undefined;
    const chosen = ranked.slice(0, 3);
    if (!chosen.length) {
      const loose = catalog.filter((item) => relevance.has(item)).slice(0, 3);
      return loose.length
        ? answer(`Nothing in the catalog matches all of that. The closest: ${loose.map((item) => `**${item.product.name}** (${priceOf(item.product)})`).join(', ')}.`, loose)
        : { text: 'Nothing in the catalog matches that. Tell me more about what you need and I will look again.', sources: [], products: [], confidence: 0.7 };
    }
    const reasons = chosen.map((item) => reasonFor(item.product, { color, size }));
    const lines = chosen.map((item, position) => `- ${linkTo(item.product.name, item.passage.url)} (${priceOf(item.product)}): ${reasons[position]}`);
    return answer(`Here ${chosen.length === 1 ? 'is one' : `are ${chosen.length}`} from our catalog that fit${chosen.length === 1 ? 's' : ''}:\n\n${lines.join('\n')}`, chosen, reasons);
  };

  return {
    /** A sure answer from the catalog or small talk, or `undefined` for the page search. */
    answer(message: string, history: ThreadMessage[]): ShopAnswer | undefined {
      const question = message.trim();
      if (!catalog.length && !GREETING.test(question) && !THANKS.test(question) && !GOODBYE.test(question)) return undefined;
      if (GREETING.test(question)) {
        return { text: 'Hi! I can help with our products, sizes and care, shipping, returns and orders. What are you looking for?', sources: [], products: [], confidence: 1 };
      }
      if (THANKS.test(question)) return { text: "You're welcome! Anything else I can help with?", sources: [], products: [], confidence: 1 };
      if (GOODBYE.test(question)) return { text: 'Thanks for stopping by. Have a good day!', sources: [], products: [], confidence: 1 };
      if (ORDER.test(question)) return undefined;

      const sell = SELL.exec(question);
      // "Do you have something to keep my head warm?", "… anything over $150?", "… it in XL?" are not about one kind of thing.
      const general = sell && /^(something|anything|stuff|things?|it|them|this|that|one)\b|\b(under|over|below|above|less than|more than|cheaper|\$|€|£)/i.test(sell[1]!);
      if (sell && !general) {
        const wanted = sell[1]!.replace(/\b(here|online|in (?:the )?store)\b/gi, '').trim();
        const item = named(wanted);
        if (item) return answer(`Yes: we sell the ${linkTo(item.product.name, item.passage.url)} (${priceOf(item.product)}). ${item.product.description}`, [item]);
        const category = [...categories.entries()].find(([folded]) => termsOf(wanted).includes(folded));
        if (category) {
          const items = catalog.filter(({ product }) => product.category === category[1]).slice(0, 3);
          return answer(`Yes: our ${category[1].toLowerCase()} are ${listOf(items.map(({ product }) => `**${product.name}** (${priceOf(product)})`))}.`, items);
        }
        const closest = index
          .search(wanted, 10)
          .filter((match) => match.passage.product && match.coverage >= 0.5)
          .map((match) => catalog.find(({ passage }) => passage === match.passage)!)
          .slice(0, 2);
        const thing = wanted.replace(/[?.!]+$/, '');
        return closest.length
          ? answer(`No, we don't sell ${thing}. These may still be useful: ${closest.map((item) => `**${item.product.name}** (${priceOf(item.product)})`).join(', ')}.`, closest)
          : { text: `No, we don't sell ${thing}.`, sources: [], products: [], confidence: 0.9 };
      }

      const mentioned = named(question);
      const followUp = !mentioned && FOLLOW_UP.test(question) && termsOf(question).length <= 6 ? inConversation(history) : undefined;
      const item = mentioned ?? followUp;
      if (item) {
        const precise = attributeAnswer(item, question);
        if (precise) return precise;
      }
      // A need, a filter, or a product asked about in general ("a warm sweater for hiking?").
      if (!mentioned || RECOMMEND.test(question) || MAX_PRICE.test(question) || MIN_PRICE.test(question)) return recommend(question, question);
      return answer(`Here is what I know about the ${linkTo(mentioned.product.name, mentioned.passage.url)} (${priceOf(mentioned.product)}): ${mentioned.product.description}`, [mentioned]);
    },
  };
}

/** A catalog entry as a card: only what the catalog says (never a made-up price or picture). */
export function cardOf(product: Product, url: string | undefined, reason?: string): ProductCard {
  const availability =
    typeof product.availability === 'string' && ['in_stock', 'out_of_stock', 'preorder'].includes(product.availability)
      ? (product.availability as ProductCard['availability'])
      : typeof product.inStock === 'boolean'
        ? product.inStock
          ? 'in_stock'
          : 'out_of_stock'
        : undefined;
  const line = reason ?? firstSentence(product.description);
  return {
    id: product.slug,
    name: product.name,
    ...(url ? { url } : {}),
    ...(typeof product.image === 'string' ? { image: product.image } : {}),
    ...(typeof product.imageAlt === 'string' ? { imageAlt: product.imageAlt } : {}),
    ...(Number.isFinite(product.price) ? { price: product.price, currency: product.currency ?? 'USD' } : {}),
    ...(availability ? { availability } : {}),
    ...(line ? { reason: line } : {}),
  };
}

function reasonFor(product: Product, asked: { color?: string | undefined; size?: string | undefined }): string {
  const first = firstSentence(product.description);
  const extras = [asked.color && `comes in ${(product.colors ?? []).find((color) => fold(color) === asked.color)}`, asked.size && `in size ${asked.size.toUpperCase()}`].filter(Boolean);
  return extras.length ? `${first} It ${extras.join(' and ')}.` : first;
}

/** Up to the first full stop that ends a sentence ("18.5-micron" does not). */
function firstSentence(text: string): string {
  return (/^.*?[.!?](?=\s|$)/s.exec(text)?.[0] ?? text).trim();
}

function priceOf(product: Product): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency: product.currency ?? 'USD' }).format(product.price);
}

function termsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .map((word) => processTerm(word))
    .filter((term): term is string => term !== null);
}

function fold(text: string): string {
  const terms = termsOf(text);
  return terms.join(' ');
}

function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
