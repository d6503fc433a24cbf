import type { ProductCard, Source } from '@concierge/core';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
import { linkTo, loadKnowledgeBase, type KnowledgeBase, type KnowledgeBaseOptions, type Passage } from './knowledge-base';
import { createLocalProductFaqs } from './product-faqs';
import { PassageIndex, type Match } from './search';
import { orderStatusAnswer } from './order-status';
import { cardOf, createShopAssistant, isOrderQuestion } from './shop-assistant';
import { createSuggestions } from './suggestions';

export interface LocalProviderOptions extends KnowledgeBaseOptions {
  /** Folder of Markdown pages and JSON product catalogs. */
  dir: string;
  /** Answers below this confidence (0–1) say they do not know. @default 0.6 */
  minConfidence?: number;
  /** Pause between streamed chunks, in milliseconds. @default 15 */
  chunkDelayMs?: number;
  /** Words per streamed chunk. @default 3 */
  wordsPerChunk?: number;
}

/**
 * The embedded provider: answers from the best-matching passages of a local folder,
 * cites them, and says plainly when nothing there answers the question.
 */
export async function createLocalProvider(options: LocalProviderOptions): Promise<Provider> {
  const knowledgeBase = await loadKnowledgeBase(options.dir, options);
  if (!knowledgeBase.passages.length) {
    throw new Error(`The knowledge base folder ${options.dir} has no Markdown pages or product catalogs.`);
  }
  const index = new PassageIndex(knowledgeBase.passages);
  const faqs = createLocalProductFaqs(knowledgeBase, index);
  const shop = createShopAssistant(knowledgeBase, index);
  const suggest = createSuggestions(knowledgeBase);
  const minConfidence = options.minConfidence ?? 0.6;
  const chunkDelayMs = options.chunkDelayMs ?? 15;
  const wordsPerChunk = options.wordsPerChunk ?? 3;

  return {
    name: 'local',
    productFaqs: faqs.productFaqs,
    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      // A product FAQ asked with its id and exact question gets its generated answer.
      const faq = request.faqId !== undefined && request.pageUrl ? faqs.faq(request.pageUrl, request.faqId) : undefined;
      const orderStatus = request.orders && (await orderStatusAnswer(request.message, request.history, request.orders, request.signal));
      const answer: Answer =
        faq?.answer && faq.question === request.message
          ? { text: faq.answer, sources: faq.sources ?? [], confidence: 1 }
          : (orderStatus || shop.answer(request.message, request.history) || answerFrom(knowledgeBase, index, request, minConfidence));
      for (const chunk of chunks(answer.text, wordsPerChunk)) {
        if (request.signal.aborted) return;
        yield { type: 'delta', text: chunk };
        if (chunkDelayMs > 0) await delay(chunkDelayMs, request.signal);
      }
      yield { type: 'sources', sources: answer.sources };
      if (answer.products?.length) yield { type: 'products', products: answer.products };
      // An order's status is the shopper's own: nothing general to follow it with.
      const suggestions = orderStatus ? [] : suggest(request.message, answer);
      if (suggestions.length) yield { type: 'suggestions', suggestions };
      yield { type: 'done', confidence: answer.confidence };
    },
  };
}

interface Answer {
  text: string;
  sources: Source[];
  products?: ProductCard[];
  confidence: number;
}

function answerFrom(
  knowledgeBase: KnowledgeBase,
  index: PassageIndex,
  request: ProviderRequest,
  minConfidence: number,
): Answer {
  // "Where is my order?" is for the store's order pages, whatever other words it uses.
  if (isOrderQuestion(request.message)) {
    const page = index.search('track order status delivery', 5).find((match) => match.passage.kind === 'page' && match.coverage >= 0.5);
    if (page) return fromMatches([page], page.coverage);
  }
  let matches = index.search(request.message);
  // A short follow-up ("and for sale items?") is read together with the question before it.
  const previous = request.history.findLast((message) => message.role === 'user');
  if (previous && confidenceOf(matches) < minConfidence) {
    const combined = index.search(`${previous.text} ${request.message}`);
    if (confidenceOf(combined) > confidenceOf(matches)) matches = combined;
  }
  const confidence = confidenceOf(matches);
  if (!matches[0] || confidence < minConfidence) return unknown(knowledgeBase.contact);
  return fromMatches(matches, confidence);
}

/** The answer from the best passage (and one related one), cited. */
function fromMatches(matches: Match[], confidence: number): Answer {
  const best = matches[0]!;
  const related = matches
    .slice(1)
    .filter((match) => (match.passage.url ?? match.passage.file) !== (best.passage.url ?? best.passage.file) && match.score >= best.score * 0.6)
    .slice(0, 1);
  const parts = [`${introduce(best.passage)}\n\n${excerpt(best.passage.text, 900)}`];
  for (const match of related) {
    parts.push(`Also from **${match.passage.title}**: ${excerpt(match.passage.text, 300)}`);
  }
  const sources = [best, ...related].map(({ passage, score }) => ({
    title: passage.heading && passage.kind === 'page' ? `${passage.title}: ${passage.heading}` : passage.title,
    ...(passage.url ? { url: passage.url } : {}),
    relevance: round(Math.min(1, score / best.score) * confidence),
  }));
  const products = [best, ...related].flatMap(({ passage }) => (passage.product ? [cardOf(passage.product, passage.url)] : []));
  return { text: parts.join('\n\n'), sources, ...(products.length ? { products } : {}), confidence: round(confidence) };
}

/** How much of the question the best passage covers; ranking scores are not comparable across folders. */
function confidenceOf(matches: Match[]): number {
  return matches[0]?.coverage ?? 0;
}

function introduce(passage: Passage): string {
  if (passage.kind === 'product') return `Here is what I know about the **${passage.title}**:`;
  const topic = passage.heading ? ` (${passage.heading})` : '';
  return `From our **${passage.title}** page${topic}:`;
}

function unknown(contact: Passage | undefined): Answer {
  const where = contact
    ? `Our team can help: see ${linkTo(contact.title, contact.url)} for how to reach us and when we are available.`
    : 'Please contact our support team and they will help you.';
  return {
    text: `I'm sorry, I don't know the answer to that, and I'd rather not guess. ${where}`,
    sources: contact ? [{ title: contact.title, ...(contact.url ? { url: contact.url } : {}) }] : [],
    confidence: 0,
  };
}

/** The passage's first paragraphs, up to `max` characters, cut at a paragraph or sentence. */
function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const paragraphs = text.split(/\n{2,}/);
  let result = '';
  for (const paragraph of paragraphs) {
    if (result && result.length + paragraph.length > max) break;
    result += (result ? '\n\n' : '') + paragraph;
  }
  if (result.length <= max) return result;
  const cut = result.slice(0, max);
  const end = cut.lastIndexOf('. ');
  return end > max / 2 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
}

function* chunks(text: string, words: number): Generator<string> {
  const tokens = text.match(/\S+\s*/g) ?? [];
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  for (let start = 0; start < tokens.length; start += words) {
    const chunk = tokens.slice(start, start + words).join('');
    yield start === 0 ? leading + chunk : chunk;
  }
}

function delay(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, milliseconds);
    signal.addEventListener('abort', finish, { once: true });
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
