import type { ProductCard, Source } from '@concierge/core';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
import { loadKnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base';
import { createLocalProductFaqs } from './product-faqs';
import { PassageIndex } from './search';
import { orderFlowState, orderStatusAnswer } from './order-status';
import { createShopAssistant } from './shop-assistant';
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
      const state = request.state ?? {};
      // A product FAQ asked with its id and exact question gets its generated answer.
      const faq = request.faqId !== undefined && request.pageUrl ? faqs.faq(request.pageUrl, request.faqId) : undefined;
      const order = request.orders && (await orderStatusAnswer(request.message, state, request.orders, request.signal));
      // Asked for both details, the shopper also gets what the store's pages say ("orders ship in 2 days").
      // (Only when it asks for both with nothing given yet: after an order's status it awaits both too, for another order.)
      const flow = order ? orderFlowState(order.state.order) : undefined;
      const asking = flow?.awaiting?.length === 2 && !flow.orderNumber && !flow.email;
      const page = order?.answer && asking ? shop.pageFor(request.message) : undefined;
      const orderStatus = order?.answer && page ? { ...page, text: `${page.text}\n\n${order.answer.text}` } : order?.answer;
      const answer: Answer =
        faq?.answer && faq.question === request.message
          ? { text: faq.answer, sources: faq.sources ?? [], confidence: 1 }
          : (orderStatus ?? shop.answer(request.message, request.history, order?.state ?? state));
      for (const chunk of chunks(answer.text, wordsPerChunk)) {
        if (request.signal.aborted) return;
        yield { type: 'delta', text: chunk };
        if (chunkDelayMs > 0) await delay(chunkDelayMs, request.signal);
      }
      yield { type: 'sources', sources: answer.sources };
      if (answer.products?.length) yield { type: 'products', products: answer.products };
      // An order's status is the shopper's own: nothing general to follow it with.
      const suggestions = orderStatus || answer.confidence < minConfidence ? [] : suggest(request.message, answer);
      if (suggestions.length) yield { type: 'suggestions', suggestions };
      // Where the order flow stands and the product being discussed, kept for the thread's next turn.
      const next = { ...(order?.state ?? state), ...(answer.subject ? { product: answer.subject } : {}) };
      if (order || answer.subject) yield { type: 'state', state: next };
      yield { type: 'done', confidence: answer.confidence, ...(answer.offerHandoff ? { offerHandoff: true } : {}) };
    },
  };
}

interface Answer {
  text: string;
  sources: Source[];
  products?: ProductCard[];
  confidence: number;
  offerHandoff?: boolean;
  subject?: string;
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

