import type { ProductCard, Source, ThreadMessage } from '@concierge/core';
import type { ConversationState } from '../provider';
import { joinQuote, questionQuery, questionTerms, quoteFrom, sentencesOf, sourceTitle, type Evidence } from './evidence';
import { linkTo, type KnowledgeBase, type Passage, type Product } from './knowledge-base';
import { termOf, termsOf } from './language';
import { asksForGoods, isFollowUp, isOrderQuestion, kindOf, priceLimits, thingAsked, type QuestionKind } from './question';
import { fitsRange, quantitiesIn, rangesIn, type Range } from './ranges';
import type { Match, PassageIndex } from './search';

export { isOrderQuestion } from './question';

/** An answer of the local provider, with what it rests on. */
export interface ShopAnswer {
  text: string;
  sources: Source[];
  products: ProductCard[];
  confidence: number;
  /** The evidence is too weak to answer: the widget offers a person. */
  offerHandoff?: boolean;
  /** The product the answer is about, kept in the thread's state for the follow-ups. */
  subject?: string;
}

interface CatalogProduct {
  product: Product;
  passage: Passage;
  /** The product's name, as terms. */
  terms: string[];
  /** Every term of every field (name, category, description, materials, the store's own fields…). */
  fieldTerms: Set<string>;
  /** The ranges its fields state ("Ages 2 to 5", "for dogs up to 20 kg"). */
  ranges: Range[];
}

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

/** Replies to small talk: nothing to look up. */
const SMALL_TALK: Partial<Record<QuestionKind, string>> = {
  greeting: 'Hi! I can help with our products, sizes and care, shipping, returns and orders. What are you looking for?',
  thanks: "You're welcome! Anything else I can help with?",
  goodbye: 'Thanks for stopping by. Have a good day!',
};

/**
 * How sure an answer must be, as the weighed share of the question's terms its evidence holds.
 * Below `answer`, the assistant says it is not sure, links the closest page and offers a person.
 */
const STRENGTH = {
  /** A page's sentences hold at least this share of the question: quote them. */
  answer: 0.45,
  /** A product's fields hold at least this share of the need: it is a match. */
  product: 0.5,
  /** Asked for products, ones that hold this share are shown as the closest there are. */
  closest: 0.3,
};
/** Products listed beside the best one hold at least this share of what it holds: a match, not a word of four. */
const NEAR_BEST = 0.75;
/** A second page is quoted too when it holds at least this share of what the first holds. */
const ALSO_SHARE = 0.8;
/** Products listed for a need at most. */
const MAX_PRODUCTS = 3;

/**
 * The local provider's answers, evidence first: it ranks the store's pages (down to their
 * sentences) and its catalog (every field of every record) against the question, and answers
 * from the strongest evidence: a field of the product asked about, products that meet a need,
 * or the sentences of a page, cited. The kind of question shapes the answer, not its source.
 * "We don't sell X" is said only when nothing in the knowledge base mentions X; weak evidence
 * gets "not sure", the closest page and a person.
 */
export function createShopAssistant(knowledgeBase: KnowledgeBase, index: PassageIndex) {
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

  const answer = (text: string, items: CatalogProduct[], reasons: (string | undefined)[] = [], confidence = 1): ShopAnswer => ({
    text,
    sources: items.map(({ passage }) => ({ title: passage.title, ...(passage.url ? { url: passage.url } : {}) })),
    products: items.map((item, position) => cardOf(item.product, item.passage.url, reasons[position])),
    confidence,
    ...(items.length === 1 ? { subject: items[0]!.product.slug } : {}),
  });

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
        ? answer(`Yes: ${name} comes in ${color}. Its colours are ${listOf(product.colors!)}.${stock ? ` It is ${stock.replace(/_/g, ' ')}.` : ''}`, [item])
        : answer(`No, ${name} does not come in ${colorNames.get(askedColor)}. It comes in ${listOf(product.colors ?? [])}.`, [item]);
    }
    const size = sizeAsked(question, /\b(?:size|in|an?)\s+(XXS|XS|S|M|L|XL|XXL|\d{1,2})\b(?!\s{0,2}[-+]?\s{0,2}(?:years?|yrs?|months?|kg|lbs?|cm|in\b|inch))/);
    if (size && product.sizes?.length && !/\bsizes\b/i.test(question)) {
      return product.sizes.some((candidate) => candidate.toUpperCase() === size.toUpperCase())
        ? answer(`Yes: ${name} comes in size ${size}. Its sizes are ${listOf(product.sizes)}.`, [item])
        : answer(`No, ${name} does not come in size ${size}. It comes in ${listOf(product.sizes)}.`, [item]);
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
    if (best.field === 'price') return answer(`${capital(name)} costs ${best.value}.`, [item], [], confidence);
    if (best.field === 'availability') {
      // What the catalog says beside it ("restockDate": "back in about 3 weeks").
      const more = candidates.filter(({ field, label }) => field !== 'availability' && /stock|avail|release|dispatch|ship/i.test(label)).map(({ label, value }) => ` ${label}: ${value}.`);
      return answer(`${capital(name)} is ${best.value} (${priceOf(product)}).${more.join('')}`, [item], [], confidence);
    }
    if (best.field === 'description') return answer(`About ${name}: ${best.value}`, [item], [], confidence);
    return answer(`${best.label} of ${name}: ${best.value}`, [item], [], confidence);
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
    const items = scored.filter(({ strength }) => strength >= STRENGTH.product && strength >= best * NEAR_BEST).map(({ item }) => item);
    const close = scored.filter(({ strength }) => strength >= STRENGTH.closest && strength >= best * NEAR_BEST).map(({ item }) => item);
    return { items, close, strength: best, filtered };
  };

  /** The pages' evidence: the best passages, each with the sentences of it that answer. */
  const readPages = (asked: string, kind: QuestionKind): Evidence[] => {
    // "My order hasn't arrived" is about tracking an order, whatever its words.
    const question = isOrderQuestion(asked) ? `${asked} ${ORDER_TOPIC}` : asked;
    const terms = questionTerms(question);
    // The words that frame a question still name its topic: "What is your return policy?" is the "Return policy" section.
    const topic = termsOf(question);
    const prefer = kind === 'quantity' ? (COST.test(asked) ? MONEY : TIME.test(asked) ? DURATION : AMOUNT) : undefined;
    // "How much" or "how long" is answered by a quote with an amount in it, among quotes that hold the question as well.
    // Between quotes that hold the question alike, the page or section about it (its title or heading) comes first.
    const rank = (evidence: Evidence) =>
      evidence.strength + (prefer && prefer.test(evidence.quote.join(' ')) ? AMOUNT_BONUS : 0) + TOPIC_BONUS * topicShare(evidence.match.passage, topic);
    return index
      .search(questionQuery(question), 6, { kind: 'page' })
      .map((match) => quoteFrom(match, terms, index, prefer))
      .sort((a, b) => rank(b) - rank(a) || b.match.score - a.match.score);
  };

  /** The weighed share of the terms a passage's title and heading hold. */
  const topicShare = (passage: Passage, terms: string[]): number => {
    return index.heldShare(terms, new Set(termsOf(`${passage.title} ${passage.heading}`)));
  };

  const pageAnswer = (evidence: Evidence, also?: Evidence): ShopAnswer => {
    const { passage } = evidence.match;
    const parts = [`${introduce(passage)} ${joinQuote(evidence.quote)}`];
    if (also) parts.push(`Also from our **${also.match.passage.title}** page: ${joinQuote(also.quote)}`);
    const sources = [evidence, ...(also ? [also] : [])].map(({ match }) => ({
      title: sourceTitle(match.passage),
      ...(match.passage.url ? { url: match.passage.url } : {}),
      relevance: round(match.coverage),
    }));
    return { text: parts.join('\n\n'), sources, products: [], confidence: round(Math.max(evidence.strength, evidence.match.coverage)) };
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
    return answer(`${intro}\n\n${lines.join('\n')}`, chosen, reasons);
  };

  /** Not sure: the closest page, and a person. Never a guess. */
  const unsure = (closest: Evidence | undefined, about?: CatalogProduct): ShopAnswer => {
    const contact = knowledgeBase.contact;
    const near = about
      ? ` What I know about the ${linkTo(about.product.name, about.passage.url)}: ${about.product.description}`
      : closest && closest.strength > 0
        ? ` The closest I found is ${linkTo(closest.match.passage.title, closest.match.passage.url)}: "${joinQuote(closest.quote.slice(0, 2))}"`
        : '';
    const person = contact ? ` Someone from our team can tell you for sure: see ${linkTo(contact.title, contact.url)}.` : ' Someone from our team can tell you for sure.';
    const cited = [...(about ? [about.passage] : closest && closest.strength > 0 ? [closest.match.passage] : []), ...(contact ? [contact] : [])];
    return {
      text: `I'm not sure about that, and I'd rather not guess.${near}${person}`,
      sources: cited.map((passage) => ({ title: sourceTitle(passage), ...(passage.url ? { url: passage.url } : {}) })),
      products: [],
      confidence: 0,
      offerHandoff: true,
    };
  };

  /** Whether anything in the knowledge base names the thing: a word of it, or a form of one. */
  const mentioned = (thing: string): boolean => {
    const terms = questionTerms(thing).filter((term) => !REQUEST_TERMS.has(term));
    // Nothing left to look for ("do you sell gifts?"): nothing to say no to.
    if (!terms.length) return true;
    // A close variant counts too: a typo, another form of the word (the index's fuzzy and prefix search).
    return terms.some((term) => index.knows(term)) || index.search(terms.join(' '), 1)[0] !== undefined;
  };

  /** The page that answers, when one does: for questions the order lookup also takes ("where is my order?"). */
  const pageFor = (question: string): ShopAnswer | undefined => {
    const page = readPages(question, kindOf(question))[0];
    return page && page.strength >= STRENGTH.answer ? pageAnswer(page) : undefined;
  };

  /**
   * The ranked evidence for a question, as the local answers weigh it: the pages with the sentences
   * of each that answer (strongest first), then the catalog records that meet the need. For a
   * model's prompt: the same evidence the local provider answers from.
   */
  const evidence = (message: string, history: ThreadMessage[], limit: number): { match: Match; quote: string[] }[] => {
    const question = message.trim();
    const kind = kindOf(question);
    const previous = history.findLast((entry) => entry.role === 'user');
    let pages = readPages(question, kind);
    if (previous && isFollowUp(question)) {
      const together = readPages(`${previous.text} ${question}`, kind);
      if ((together[0]?.strength ?? 0) > (pages[0]?.strength ?? 0)) pages = together;
    }
    const products = catalog.length ? shop(question) : { close: [] as CatalogProduct[] };
    const mentionedItem = named(question);
    const records = [...(mentionedItem ? [mentionedItem] : []), ...products.close]
      .filter((item, position, all) => all.indexOf(item) === position)
      .map((item) => ({ match: { passage: item.passage, score: 0, coverage: 1 }, quote: [] }));
    const ranked = pages.filter((page) => page.strength > 0).map(({ match, quote }) => ({ match, quote }));
    // Pages and records in turn, so that neither crowds the other out of a short prompt.
    const mixed: { match: Match; quote: string[] }[] = [];
    for (let position = 0; mixed.length < limit && (position < ranked.length || position < records.length); position++) {
      if (ranked[position]) mixed.push(ranked[position]!);
      if (records[position] && mixed.length < limit) mixed.push(records[position]!);
    }
    return mixed;
  };

  return {
    pageFor,
    evidence,
    /** The answer to a shopper's message, from the knowledge base only. */
    answer(message: string, history: ThreadMessage[], state: ConversationState = {}): ShopAnswer {
      const question = message.trim();
      let kind = kindOf(question);
      const smallTalk = SMALL_TALK[kind];
      if (smallTalk) return { text: smallTalk, sources: [], products: [], confidence: 1 };
      // "Do you have something for…" asks for a need, not for a kind of product.
      const thing = kind === 'sell' ? thingAsked(question) : '';
      if (kind === 'sell' && (!questionTerms(thing).length || NEED.test(thing))) kind = 'recommend';

      // Shopping with filters ("in leather under 100"), a word of a name is a filter, not the product: only a full name names one.
      const limits = priceLimits(question);
      // Unless the question asks for one of its fields ("is the world map puzzle in stock?").
      const asksField = ATTRIBUTES.some(({ pattern }) => pattern.test(question));
      const filtering = !asksField && (limits.max !== undefined || limits.min !== undefined || (kind === 'sell' && asksForGoods(question)));
      const mentionedItem = named(question, filtering);
      // A need in a bare phrase ("a houseplant that's hard to kill") names no product by one word of its name.
      const needPhrase = kind === 'other' && !QUESTION_WORD.test(question) && !ASKS.test(question) && !asksField && !named(question, true);
      const subject = kind === 'recommend' || needPhrase ? undefined : (mentionedItem ?? (isFollowUp(question) ? discussed(state, history) : undefined));
      const pages = readPages(question, kind);
      // A follow-up's words may need the question before it ("and for sale items?").
      const previous = history.findLast((entry) => entry.role === 'user');
      if (previous && isFollowUp(question) && (pages[0]?.strength ?? 0) < STRENGTH.answer) {
        const together = readPages(`${previous.text} ${question}`, kind);
        if ((together[0]?.strength ?? 0) > (pages[0]?.strength ?? 0)) pages.splice(0, pages.length, ...together);
      }
      const page = pages[0];
      const pageStrength = page?.strength ?? 0;

      if (subject) {
        const precise = fieldAnswer(subject, question);
        // The record answers, unless a page holds what the question asks beyond the product better.
        const beyond = remainingTerms(subject, question);
        const pageHolds = page && beyond.length ? quoteFrom(page.match, beyond, index).strength : 0;
        if (precise && (precise.confidence >= pageHolds || pageHolds < STRENGTH.answer)) return precise;
        if (page && pageHolds >= STRENGTH.answer) return withProduct(pageAnswer(page), subject);
        if (!precise && beyond.length) return unsure(page, subject);
      }
      // A service ("do you do gift wrapping?") is for the pages; a need may be a bare phrase ("a breathable shirt for summer").
      const service = kind === 'sell' && !asksForGoods(question);
      const phrase = kind === 'other' && !QUESTION_WORD.test(question) && !ASKS.test(question) && !subject;
      const shopping = (kind === 'sell' && !service) || kind === 'recommend' || phrase || limits.max !== undefined || limits.min !== undefined;
      const products = catalog.length && (shopping || !mentionedItem) ? shop(kind === 'sell' ? thing : question, kind === 'sell') : { items: [], close: [], strength: 0, filtered: false };

      // A need in the catalog, unless a page holds the question better (a service, a policy).
      if (shopping && products.items.length && (products.strength >= pageStrength || products.filtered)) {
        return productList(products.items, question, kind);
      }
      if (mentionedItem && pageStrength < STRENGTH.answer) {
        const { product, passage } = mentionedItem;
        return answer(`Here is what I know about the ${linkTo(product.name, passage.url)} (${priceOf(product)}): ${product.description}`, [mentionedItem]);
      }
      if (page && pageStrength >= STRENGTH.answer) {
        const second = pages[1];
        const also =
          second && second.strength >= STRENGTH.answer && second.match.passage.file !== page.match.passage.file && second.strength >= pageStrength * ALSO_SHARE ? second : undefined;
        return pageAnswer(page, kind === 'quantity' || kind === 'yes-no' ? undefined : also);
      }
      if ((shopping || service) && products.items.length && products.strength >= Math.max(STRENGTH.product, pageStrength)) {
        return productList(products.items, question, kind);
      }
      // Asked for products, the ones that come closest, said as such.
      if (shopping && kind !== 'sell' && products.close.length && products.strength >= Math.max(STRENGTH.closest, pageStrength)) {
        return productList(products.close, question, kind, true);
      }
      if (kind === 'sell' && asksForGoods(question) && !mentioned(thing)) {
        return { text: `No, we don't sell ${thing}.`, sources: [], products: [], confidence: 0.9 };
      }
      // Mentioned, but not as something we sell: the closest passage, and a person.
      const near = kind === 'sell' ? index.search(questionQuery(thing), 1)[0] : undefined;
      return unsure(near ? quoteFrom(near, questionTerms(thing), index) : page);
    },
  };
}

/** A question that asks about something, rather than naming a need ("a warm hat for winter"). */
const QUESTION_WORD = /^(?:so\s+)?(?:what|whats|how|hows|when|why|where|wheres|who|is|are|was|can|could|do|does|did|will|would|should|have|has|may|am)\b/i;
/** A question somewhere in the message ("my dog is nervous, can you sedate him?"): not a bare need. */
const ASKS = /\?|\b(?:can|could|do|does|will|would|is|are)\s+(?:you|u|i|it|they|we|there)\b/i;
/** An amount: a number or "free". */
const AMOUNT = /\d|\bfree\b/i;
/** A question about money, answered by a price or "free". */
const COST = /\b(?:how much (?:is|are|does|do|will|would|for|to|it|money|extra)|cost\w*|prices?|fees?|charges?|pay)\b/i;
const MONEY = /[$€£]\s?\d|\d\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b|\bfree\b/i;
/** A question about time, answered by a duration. */
const TIME = /\bhow (?:long|soon|quickly|fast)\b|\bwhen\b/i;
const DURATION = /\d+\s*(?:[-–]\s*\d+\s*)?(?:business |working )?(?:days?|weeks?|hours?|months?|minutes?)\b|\b(?:same|next)[ -]day\b/i;
/** What an amount in a quote adds to its strength, for a "how much" question: enough to break a near tie. */
const AMOUNT_BONUS = 0.1;
/** What a title or heading that names the question's topic adds to a quote's rank: a tie-breaker. */
const TOPIC_BONUS = 0.05;
/** What an order question is about, added to its words when pages are searched. */
const ORDER_TOPIC = 'order tracking status';
/** A need in other words than a product's kind: "something to keep my head warm", "anything for a puppy". */
const NEED = /\b(something|anything|stuff|things?|ideas?|(?:a|as a) gift|gift for)\b|^(?:for|to)\b/i;
/** A word of a product's name names it alone when it is in at most this many passages (its own, and pages that mention it). */
const NAME_WORD_PASSAGES = 3;
/** A question that holds this share of a name's words names that product outright. */
const FULL_NAME = 0.6;
/** Or when the question holds this share of the name's words ("moka pot" of "Classic Moka Pot 6-Cup"). */
const NAME_SHARE = 0.34;

/** Words that ask or filter rather than describe the need ("recommend", "under", "dollars"…). */
const REQUEST_TERMS = new Set(
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

function introduce(passage: Passage): string {
  if (passage.kind === 'product') return `About the **${passage.title}**:`;
  // The page is named, not linked: its link is the answer's source, shown beside it.
  return `From our **${passage.title}** page${passage.heading ? ` (${passage.heading})` : ''}:`;
}

function reasonFor(product: Product, color: string | undefined): string {
  const first = firstSentence(product.description);
  const shade = color && (product.colors ?? []).find((candidate) => candidate.toLowerCase() === color);
  return shade ? `${first} It comes in ${shade}.` : first;
}

/** Up to the first full stop that ends a sentence ("18.5-micron" does not). */
function firstSentence(text: string): string {
  return (/^.*?[.!?](?=\s|$)/s.exec(text)?.[0] ?? text).trim();
}

function priceOf(product: Product): string {
  return Number.isFinite(product.price) ? new Intl.NumberFormat('en', { style: 'currency', currency: product.currency ?? 'USD' }).format(product.price) : 'no price listed';
}

/** A price to sort and filter by: a product without one comes last and meets no price limit. */
function sortPrice(product: Product): number {
  return Number.isFinite(product.price) ? product.price : Number.POSITIVE_INFINITY;
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

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
