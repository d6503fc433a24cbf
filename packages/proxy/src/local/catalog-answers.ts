import type { ThreadMessage } from '@concierge/core';
import type { ConversationState } from '../provider';
import { questionTerms, sentencesOf } from './evidence';
import { linkTo, type KnowledgeBase } from './knowledge-base';
import { termOf, termsOf } from './language';
import { cardOf, capital, escape, listOf, priceOf, productAnswer, reasonFor, round, sortPrice, type CatalogProduct, type ShopAnswer } from './product-text';
import { COST, MONEY, priceLimits, type QuestionKind } from './question';
import { fitsRange, quantitiesIn, rangesIn } from './ranges';
import type { PassageIndex } from './search';

/** The catalog fields a question can ask about, and the words that ask for each. */
export const ATTRIBUTES: { field: string; label: string; pattern: RegExp }[] = [
  { field: 'care', label: 'Care', pattern: /\b(wash\w*|clean\w*|care|dry|drying|iron\w*|tumble|dishwasher|launder\w*|season\w*|look after|maintain\w*|descal\w*)\b/i },
  { field: 'fit', label: 'Fit', pattern: /\b(fit|fits|fitting|runs? (?:small|large|big)|true to size|snug|loose)\b/i },
  { field: 'sizes', label: 'Sizes', pattern: /\b(sizes?|sizing)\b/i },
  { field: 'colors', label: 'Colours', pattern: /\b(colou?rs?|shades?)\b/i },
  { field: 'materials', label: 'Materials', pattern: /\b(materials?|made (?:of|from|out of)|fabric|what is it made)\b/i },
  { field: 'dimensions', label: 'Dimensions', pattern: /\b(dimensions?|how (?:big|large|wide|tall|long)|measure\w*|capacity)\b/i },
  { field: 'weight', label: 'Weight', pattern: /\b(weigh\w*|how heavy)\b/i },
  { field: 'compatibility', label: 'Compatibility', pattern: /\b(compatib\w*|work with|works with|use (?:it )?(?:on|with)|fit (?:in|a|my)|induction)\b/i },
  { field: 'availability', label: 'Availability', pattern: /\b(in stock|out of stock|stock|restock\w*|available|availability|sold out|back in stock|(?:can|could) i (?:order|buy|get))\b/i },
  { field: 'price', label: 'Price', pattern: /\b(price|prices|cost\w*|how much|expensive)\b/i },
];
/** Fields that are not facts a shopper asks about (ids, links, pictures), or that the description and price cover. */
const HIDDEN_FIELDS = new Set(['slug', 'name', 'description', 'currency', 'url', 'image', 'imageAlt']);
/** A field the question asks for by one of its words ({@link ATTRIBUTES}) counts as if it held a word this rare. */
const ASKED_FIELD = 1;
/** How a field is named in an answer: its own label, or its name in words ("batteryLife" → "Battery life"). */
const LABELS: Record<string, string> = Object.fromEntries(ATTRIBUTES.map(({ field, label }) => [field, label]));

function labelOf(field: string): string {
  return LABELS[field] ?? capital(field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase());
}

/** How much of a need products must hold (the weighed share of its words their fields hold). */
export const PRODUCT_STRENGTH = {
  /** A product's fields hold at least this share of the need: it is a match. */
  product: 0.5,
  /** Asked for products, ones that hold this share are shown as the closest there are. */
  closest: 0.3,
};
/** Products listed beside the best one hold at least this share of what it holds: a match, not a word of four. */
const NEAR_BEST = 0.75;
/** Products listed for a need at most. */
const MAX_PRODUCTS = 3;

/** A word of a product's name names it alone when it is in at most this many passages (its own, and pages that mention it). */
const NAME_WORD_PASSAGES = 3;
/** A question that holds this share of a name's words names that product outright. */
const FULL_NAME = 0.6;
/** Or when the question holds this share of the name's words ("moka pot" of "Classic Moka Pot 6-Cup"). */
const NAME_SHARE = 0.34;

/** Words that ask or filter rather than describe the need ("recommend", "under", "dollars"…). */
export const REQUEST_TERMS = new Set(
  `someone somebody love loves like likes enjoy enjoys person friend recommend recommendation suggest suggestion looking look want need gift present
  something anything good best option buy get show find under below less cheaper cheap over above more least dollar dollars euro euros pound pounds
  usd eur gbp price cost size what which item product thing one some store shop catalog cheapest expensive pricier within max maximum minimum most
  sell offer carry stock idea ideas have got`
    .split(/\s+/)
    .map((word) => termOf(word))
    .filter((term): term is string => term !== null),
);
/** Words of a quantity ("3 year old"), matched as a range, not as words. */
const UNIT_TERMS = new Set(['year', 'years', 'old', 'month', 'months', 'kg', 'lb', 'lbs', 'cm'].map((word) => termOf(word)).filter((term): term is string => term !== null));

/**
 * The shop assistant's knowledge of the catalog: which product a question names or the thread
 * discusses, the field of a product that answers, and the products that meet a need.
 */
export function createCatalogAnswers(knowledgeBase: KnowledgeBase, index: PassageIndex) {
  const catalog: CatalogProduct[] = knowledgeBase.passages
    .filter((passage) => passage.product)
    .map((passage) => {
      const product = passage.product!;
      const values = Object.entries(product)
        .filter(([field]) => !['slug', 'url', 'image', 'imageAlt'].includes(field))
        .flatMap(([, value]) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' || typeof value === 'number' ? [String(value)] : []));
      const fieldText = values.join(' . ');
      return { product, passage, terms: termsOf(product.name), fieldTerms: new Set(termsOf(fieldText)), ranges: rangesIn(fieldText) };
    });
  // How many product names share each term: a term unique to one name names that product.
  const nameUse = new Map<string, number>();
  for (const { terms } of catalog) for (const term of new Set(terms)) nameUse.set(term, (nameUse.get(term) ?? 0) + 1);
  // A category's word ("bike" in a bike shop) names no single product, even if one name has it.
  for (const { product } of catalog) for (const term of termsOf(product.category ?? '')) nameUse.set(term, Number.POSITIVE_INFINITY);
  const categories = new Map(catalog.flatMap(({ product }) => (product.category ? [[termsOf(product.category).join(' '), product.category] as const] : [])));
  // Material words of the catalog ("merino", "linen", "leather"), for "something in linen".
  const materialTerms = new Set(catalog.flatMap(({ product }) => (product.materials ?? []).flatMap((text) => termsOf(text))).filter((term) => term.length > 3 && !/^\d/.test(term)));
  // Sizes the catalog has: a word after "size" is a size only if some product comes in it ("what size should I get").
  const sizeNames = new Set(catalog.flatMap(({ product }) => (product.sizes ?? []).map((size) => size.toUpperCase())));
  const sizeAsked = (question: string, pattern: RegExp): string | undefined => {
    const size = pattern.exec(question)?.[1];
    return size && sizeNames.has(size.toUpperCase()) ? size : undefined;
  };
  const colorNames = new Map(catalog.flatMap(({ product }) => (product.colors ?? []).map((color) => [color.toLowerCase(), color] as const)));

  /** The catalog product a text names: a term unique to its name, or most of its name. */
  const named = (text: string, fully = false): CatalogProduct | undefined => {
    const terms = new Set(termsOf(text));
    let best: { item: CatalogProduct; score: number; share: number } | undefined;
    for (const item of catalog) {
      let score = 0;
      // A number of a name ("E54", "48 pieces") counts beside a word of it, never alone: "48 months old" is not the puzzle.
      const wordMatched = item.terms.some((term) => terms.has(term) && !/^\d/.test(term));
      for (const term of new Set(item.terms)) if (terms.has(term) && (wordMatched || !/^\d/.test(term))) score += 1 / nameUse.get(term)!;
      const share = item.terms.filter((term) => terms.has(term)).length / item.terms.length;
      // One word of a name names the product only when it is its own ("Aster"), not a word pages use too ("hard").
      const distinctive =
        wordMatched && (share >= NAME_SHARE || item.terms.some((term) => terms.has(term) && nameUse.get(term) === 1 && index.passagesWith(term) <= NAME_WORD_PASSAGES));
      if (((score >= 1 && distinctive) || share >= FULL_NAME) && (!best || score > best.score)) best = { item, score, share };
    }
    return best && (!fully || best.share >= FULL_NAME) ? best.item : undefined;
  };

  /** The product being discussed: the thread's state, else the last card the assistant showed, else one the shopper named. */
  const discussed = (state: ConversationState, history: ThreadMessage[]): CatalogProduct | undefined => {
    const slug = typeof state.product === 'string' ? state.product : undefined;
    const fromState = slug ? catalog.find(({ product }) => product.slug === slug) : undefined;
    if (fromState) return fromState;
    for (const message of [...history].reverse()) {
      const card = message.role === 'assistant' ? message.products?.[0] : undefined;
      const found = card ? catalog.find(({ product }) => product.slug === card.id) : message.role === 'user' ? named(message.text) : undefined;
      if (found) return found;
    }
    return undefined;
  };


  /** A field of the product, asked for by name ("how much is it?", "and in navy?", "what's the warranty?"). */
  const fieldAnswer = (item: CatalogProduct, asked: string): ShopAnswer | undefined => {
    const { product } = item;
    // The product's own name says nothing about what is asked ("cast iron" is not about ironing).
    const nameWords = product.name.split(/[^\p{L}\p{N}]+/u).filter((word) => word && termOf(word) !== null).map(escape);
    const question = nameWords.length ? asked.replace(new RegExp(`\\b(${nameWords.join('|')})\\b`, 'giu'), ' ') : asked;
    const name = `the **${product.name}**`;
    const askedColor = [...colorNames.keys()].find((color) => new RegExp(`\\b${escape(color)}\\b`, 'i').test(question));
    if (askedColor && !/\b(colou?rs?)\b/i.test(question)) {
      const color = (product.colors ?? []).find((candidate) => candidate.toLowerCase() === askedColor);
      const stock = /\bstock\b|\bavailab/i.test(question) ? cardOf(product, item.passage.url).availability : undefined;
      return color
        ? productAnswer(`Yes: ${name} comes in ${color}. Its colours are ${listOf(product.colors!)}.${stock ? ` It is ${stock.replace(/_/g, ' ')}.` : ''}`, [item])
        : productAnswer(`No, ${name} does not come in ${colorNames.get(askedColor)}. It comes in ${listOf(product.colors ?? [])}.`, [item]);
    }
    const size = sizeAsked(question, /\b(?:size|in|an?)\s+(XXS|XS|S|M|L|XL|XXL|\d{1,2})\b(?!\s{0,2}[-+]?\s{0,2}(?:years?|yrs?|months?|kg|lbs?|cm|in\b|inch))/);
    if (size && product.sizes?.length && !/\bsizes\b/i.test(question)) {
      return product.sizes.some((candidate) => candidate.toUpperCase() === size.toUpperCase())
        ? productAnswer(`Yes: ${name} comes in size ${size}. Its sizes are ${listOf(product.sizes)}.`, [item])
        : productAnswer(`No, ${name} does not come in size ${size}. It comes in ${listOf(product.sizes)}.`, [item]);
    }
    return bestField(item, question);
  };

  /**
   * The field of the record (or the sentence of its description) that answers: each is ranked by
   * the question's words it holds, each word weighed by its rarity; the words that ask for a field
   * ("how much" for the price, "wash" for care: {@link ATTRIBUTES}) count as that field's name.
   */
  const bestField = (item: CatalogProduct, question: string): ShopAnswer | undefined => {
    const { product } = item;
    const patterns = ATTRIBUTES.filter(({ pattern }) => pattern.test(question));
    // A field is asked for by its own name, or by the words of a field it is a kind of ("weight limit" → maxWeight).
    const asked = new Set(patterns.map(({ field }) => field));
    const askedByName = (field: string, label: string) => asked.has(field) || patterns.some(({ pattern }) => pattern.test(label));
    const terms = remainingTerms(item, question);
    const total = terms.reduce((sum, term) => sum + index.weight(term), 0);
    const candidates: { field: string; label: string; value: string; score: number; held: number }[] = [];
    const consider = (field: string, label: string, value: string) => {
      const candidateTerms = new Set(termsOf(`${label} ${value}`));
      const held = index.heldWeight(terms, candidateTerms);
      candidates.push({ field, label, value, held, score: held + (askedByName(field, label) ? ASKED_FIELD : 0) });
    };
    for (const [field, value] of Object.entries(product)) {
      if (HIDDEN_FIELDS.has(field) || value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value))) continue;
      const text = Array.isArray(value) ? listOf(value.map(String)) : field === 'price' ? priceOf(product) : String(value);
      if (field === 'availability' || field === 'inStock') {
        const stock = cardOf(product, item.passage.url).availability;
        if (stock) consider('availability', 'Availability', stock.replace(/_/g, ' '));
        continue;
      }
      consider(field, labelOf(field), text);
    }
    for (const sentence of sentencesOf(product.description)) consider('description', '', sentence);
    // "How much…" is answered by a field with an amount in it.
    if (COST.test(question)) for (const candidate of candidates) if (candidate.field !== 'price' && !MONEY.test(candidate.value)) candidate.score /= 2;
    const best = candidates.sort((a, b) => b.score - a.score)[0];
    if (!best || best.score <= 0) return undefined;
    const name = `the **${product.name}**`;
    const confidence = round(total ? Math.max(best.held / total, asked.has(best.field) ? 1 : 0) : 1);
    if (best.field === 'price') return productAnswer(`${capital(name)} costs ${best.value}.`, [item], [], confidence);
    if (best.field === 'availability') {
      // What the catalog says beside it ("restockDate": "back in about 3 weeks").
      const more = candidates.filter(({ field, label }) => field !== 'availability' && /stock|avail|release|dispatch|ship/i.test(label)).map(({ label, value }) => ` ${label}: ${value}.`);
      return productAnswer(`${capital(name)} is ${best.value} (${priceOf(product)}).${more.join('')}`, [item], [], confidence);
    }
    if (best.field === 'description') return productAnswer(`About ${name}: ${best.value}`, [item], [], confidence);
    return productAnswer(`${best.label} of ${name}: ${best.value}`, [item], [], confidence);
  };

  /** The question's terms, without those that name the product (its name, its category) or ask for a field ("made of"). */
  const remainingTerms = (item: CatalogProduct, question: string): string[] => {
    const naming = new Set([...item.terms, ...termsOf(item.product.category ?? '')]);
    let text = question;
    for (const { pattern } of ATTRIBUTES) text = text.replace(new RegExp(pattern.source, 'gi'), ' ');
    return questionTerms(text).filter((term) => !naming.has(term) && !/^\d/.test(term));
  };

  /** Catalog products that meet the question's filters, ranked by how much of the need their fields hold. */
  const shop = (question: string, byKind = false): { items: CatalogProduct[]; close: CatalogProduct[]; strength: number; filtered: boolean } => {
    const { max, min } = priceLimits(question);
    const lower = question.toLowerCase();
    const color = [...colorNames.keys()].find((candidate) => new RegExp(`\\b${escape(candidate)}\\b`, 'i').test(lower));
    const terms = questionTerms(question);
    const category = [...categories.keys()].find((candidate) => candidate && termsOf(candidate).every((term) => terms.includes(term)));
    const size = sizeAsked(question, /\bsize\s+(\w+)\b/i) ?? sizeAsked(question, /\b(XXS|XS|XL|XXL)\b/);
    const material = terms.find((term) => materialTerms.has(term));
    const quantities = quantitiesIn(question);
    const measured = quantities.length > 0 && catalog.some(({ ranges }) => ranges.some((range) => quantities.some(({ unit }) => unit === range.unit)));
    const filtered = max !== undefined || min !== undefined || Boolean(color) || Boolean(size) || Boolean(material) || measured;
    const passes = (item: CatalogProduct) =>
      (max === undefined || sortPrice(item.product) <= max) &&
      (min === undefined || (Number.isFinite(item.product.price) && item.product.price >= min)) &&
      (!color || (item.product.colors ?? []).some((candidate) => candidate.toLowerCase() === color)) &&
      (!size || (item.product.sizes ?? []).some((candidate) => candidate.toUpperCase() === size.toUpperCase())) &&
      (!measured || fitsRange(quantities, item.ranges)) &&
      (!material || item.fieldTerms.has(material));
    // The need: the question's terms that are not a filter, a number, or a word for asking.
    const filterTerms = new Set([...(color ? termsOf(color) : []), ...(size ? termsOf(size) : []), ...(material ? [material] : [])]);
    // For a need, words no product or page has ("husky", "everywhere") cannot tell products apart: the need is in
    // the others. "Do you sell X?" keeps them: a product is X only if it holds all of X ("dog DNA test kits" is not "dog").
    const need = terms.filter((term) => !filterTerms.has(term) && !/^\d/.test(term) && !REQUEST_TERMS.has(term) && !UNIT_TERMS.has(term) && (byKind || index.knows(term)));
    const total = need.reduce((sum, term) => sum + index.weight(term), 0);
    const scored = catalog.filter(passes).map((item) => {
      // "Do you sell X?" asks for products that are X (by name or category), not ones that mention X.
      const fields = byKind ? new Set([...item.terms, ...termsOf(item.product.category ?? '')]) : item.fieldTerms;
      const held = index.heldWeight(need, fields);
      const inCategory = category && (termsOf(item.product.category ?? '').join(' ') === category) ? 0.25 : 0;
      return { item, strength: total ? Math.min(1, held / total + inCategory) : filtered || category ? 1 : 0 };
    });
    scored.sort((a, b) => b.strength - a.strength || sortPrice(a.item.product) - sortPrice(b.item.product));
    const best = scored[0]?.strength ?? 0;
    // Close to the best only: a product that holds one word of four is not a match beside one that holds all.
    const items = scored.filter(({ strength }) => strength >= PRODUCT_STRENGTH.product && strength >= best * NEAR_BEST).map(({ item }) => item);
    const close = scored.filter(({ strength }) => strength >= PRODUCT_STRENGTH.closest && strength >= best * NEAR_BEST).map(({ item }) => item);
    return { items, close, strength: best, filtered };
  };

  /** A page's answer about a product: the product's card beside it. */
  const withProduct = (page: ShopAnswer, item: CatalogProduct): ShopAnswer => ({
    ...page,
    sources: [...page.sources, { title: item.passage.title, ...(item.passage.url ? { url: item.passage.url } : {}) }],
    products: [cardOf(item.product, item.passage.url)],
    subject: item.product.slug,
  });

  const productList = (items: CatalogProduct[], question: string, kind: QuestionKind, closest = false): ShopAnswer => {
    const chosen = items.slice(0, MAX_PRODUCTS);
    const color = [...colorNames.keys()].find((candidate) => new RegExp(`\\b${escape(candidate)}\\b`, 'i').test(question));
    const reasons = chosen.map((item) => reasonFor(item.product, color));
    const lines = chosen.map((item, position) => `- ${linkTo(item.product.name, item.passage.url)} (${priceOf(item.product)}): ${reasons[position]}`);
    const yes = kind === 'sell' ? 'Yes, we do. ' : '';
    const intro = closest
      ? `${chosen.length === 1 ? 'This comes' : 'These come'} closest to what you describe in our catalog:`
      : chosen.length === 1
        ? `${yes}Here is one from our catalog that fits:`
        : `${yes}Here are ${chosen.length} from our catalog that fit:`;
    return productAnswer(`${intro}\n\n${lines.join('\n')}`, chosen, reasons);
  };

  return { items: catalog, named, discussed, fieldAnswer, remainingTerms, shop, withProduct, productList };
}
