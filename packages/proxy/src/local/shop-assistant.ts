import type { ThreadMessage } from '@concierge/core';
import type { ConversationState } from '../provider';
import { ATTRIBUTES, createCatalogAnswers, PRODUCT_STRENGTH, REQUEST_TERMS } from './catalog-answers';
import { joinQuote, questionQuery, questionTerms, quoteFrom, sourceTitle, type Evidence } from './evidence';
import { linkTo, type KnowledgeBase, type Passage } from './knowledge-base';
import { termsOf } from './language';
import { priceOf, productAnswer, round, type CatalogProduct, type ShopAnswer } from './product-text';
import { ANY_AMOUNT, asksForGoods, COST, DURATION, isFollowUp, isOrderQuestion, kindOf, MONEY, priceLimits, thingAsked, TIME, type QuestionKind } from './question';
import type { Match, PassageIndex } from './search';

export { isOrderQuestion } from './question';
export { ATTRIBUTES } from './catalog-answers';
export { cardOf, type ShopAnswer } from './product-text';

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
};
/** A second page is quoted too when it holds at least this share of what the first holds. */
const ALSO_SHARE = 0.8;
/**
 * The local provider's answers, evidence first: it ranks the store's pages (down to their
 * sentences) and its catalog (every field of every record) against the question, and answers
 * from the strongest evidence: a field of the product asked about, products that meet a need,
 * or the sentences of a page, cited. The kind of question shapes the answer, not its source.
 * "We don't sell X" is said only when nothing in the knowledge base mentions X; weak evidence
 * gets "not sure", the closest page and a person.
 */
export function createShopAssistant(knowledgeBase: KnowledgeBase, index: PassageIndex) {
  const catalog = createCatalogAnswers(knowledgeBase, index);

  /** The pages' evidence: the best passages, each with the sentences of it that answer. */
  const readPages = (asked: string, kind: QuestionKind): Evidence[] => {
    // "My order hasn't arrived" is about tracking an order, whatever its words.
    const question = isOrderQuestion(asked) ? `${asked} ${ORDER_TOPIC}` : asked;
    const terms = questionTerms(question);
    // The words that frame a question still name its topic: "What is your return policy?" is the "Return policy" section.
    const topic = termsOf(question);
    const prefer = kind === 'quantity' ? (COST.test(asked) ? MONEY : TIME.test(asked) ? DURATION : ANY_AMOUNT) : undefined;
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
    const products = catalog.items.length ? catalog.shop(question) : { close: [] as CatalogProduct[] };
    const mentionedItem = catalog.named(question);
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
      const mentionedItem = catalog.named(question, filtering);
      // A need in a bare phrase ("a houseplant that's hard to kill") names no product by one word of its name.
      const needPhrase = kind === 'other' && !QUESTION_WORD.test(question) && !ASKS.test(question) && !asksField && !catalog.named(question, true);
      const subject = kind === 'recommend' || needPhrase ? undefined : (mentionedItem ?? (isFollowUp(question) ? catalog.discussed(state, history) : undefined));
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
        const precise = catalog.fieldAnswer(subject, question);
        // The record answers, unless a page holds what the question asks beyond the product better.
        const beyond = catalog.remainingTerms(subject, question);
        const pageHolds = page && beyond.length ? quoteFrom(page.match, beyond, index).strength : 0;
        if (precise && (precise.confidence >= pageHolds || pageHolds < STRENGTH.answer)) return precise;
        if (page && pageHolds >= STRENGTH.answer) return catalog.withProduct(pageAnswer(page), subject);
        if (!precise && beyond.length) return unsure(page, subject);
      }
      // A service ("do you do gift wrapping?") is for the pages; a need may be a bare phrase ("a breathable shirt for summer").
      const service = kind === 'sell' && !asksForGoods(question);
      const phrase = kind === 'other' && !QUESTION_WORD.test(question) && !ASKS.test(question) && !subject;
      const shopping = (kind === 'sell' && !service) || kind === 'recommend' || phrase || limits.max !== undefined || limits.min !== undefined;
      const products = catalog.items.length && (shopping || !mentionedItem) ? catalog.shop(kind === 'sell' ? thing : question, kind === 'sell') : { items: [], close: [], strength: 0, filtered: false };

      // A need in the catalog, unless a page holds the question better (a service, a policy).
      if (shopping && products.items.length && (products.strength >= pageStrength || products.filtered)) {
        return catalog.productList(products.items, question, kind);
      }
      if (mentionedItem && pageStrength < STRENGTH.answer) {
        const { product, passage } = mentionedItem;
        return productAnswer(`Here is what I know about the ${linkTo(product.name, passage.url)} (${priceOf(product)}): ${product.description}`, [mentionedItem]);
      }
      if (page && pageStrength >= STRENGTH.answer) {
        const second = pages[1];
        const also =
          second && second.strength >= STRENGTH.answer && second.match.passage.file !== page.match.passage.file && second.strength >= pageStrength * ALSO_SHARE ? second : undefined;
        return pageAnswer(page, kind === 'quantity' || kind === 'yes-no' ? undefined : also);
      }
      if ((shopping || service) && products.items.length && products.strength >= Math.max(PRODUCT_STRENGTH.product, pageStrength)) {
        return catalog.productList(products.items, question, kind);
      }
      // Asked for products, the ones that come closest, said as such.
      if (shopping && kind !== 'sell' && products.close.length && products.strength >= Math.max(PRODUCT_STRENGTH.closest, pageStrength)) {
        return catalog.productList(products.close, question, kind, true);
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
/** What an amount in a quote adds to its strength, for a "how much" question: enough to break a near tie. */
const AMOUNT_BONUS = 0.1;
/** What a title or heading that names the question's topic adds to a quote's rank: a tie-breaker. */
const TOPIC_BONUS = 0.05;
/** What an order question is about, added to its words when pages are searched. */
const ORDER_TOPIC = 'order tracking status';
/** A need in other words than a product's kind: "something to keep my head warm", "anything for a puppy". */
const NEED = /\b(something|anything|stuff|things?|ideas?|(?:a|as a) gift|gift for)\b|^(?:for|to)\b/i;
function introduce(passage: Passage): string {
  if (passage.kind === 'product') return `About the **${passage.title}**:`;
  // The page is named, not linked: its link is the answer's source, shown beside it.
  return `From our **${passage.title}** page${passage.heading ? ` (${passage.heading})` : ''}:`;
}
