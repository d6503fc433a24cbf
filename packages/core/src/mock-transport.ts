import { ConciergeError, type ConciergeErrorOptions } from './errors';
import type { ProductCard, ProductFaqsResponse, Source, StreamEvent, ThreadHistory } from './protocol';
import type { Transport } from './transport';

export interface MockTransportOptions {
  /** The reply's text, streamed in pieces of `chunkSize` characters. @default a short answer */
  reply?: string;
  sources?: Source[];
  /** Products sent with the reply, shown as cards. */
  products?: ProductCard[];
  /** Characters per streamed piece. @default 12 */
  chunkSize?: number;
  /** Pause between pieces, in milliseconds. @default 30 */
  delayMs?: number;
  /**
   * Stop streaming after this many characters and wait forever (for "waiting" and "streaming"
   * states); 0 waits before the first token.
   */
  holdAfter?: number;
  /** Fail every message with this error instead of answering. */
  error?: ConciergeErrorOptions;
  /** What `getProductFaqs` answers. @default not_available */
  productFaqs?: ProductFaqsResponse;
  /** What `getThread` answers. @default a 404 */
  history?: ThreadHistory;
  /** Questions offered after each reply. */
  suggestions?: string[];
  /** Replies say the assistant could not answer ("Talk to a person" is offered). */
  offerHandoff?: boolean;
  /** Fail feedback and handoff requests with this error. */
  actionError?: ConciergeErrorOptions;
  /** What a handoff answers. @default "within one business day" */
  replyTime?: string;
}

/**
 * A transport that needs no network: it answers from the options, as a proxy would.
 * For stories, demos and tests.
 *
 * @example
 * <ConciergeProvider transport={createMockTransport({ reply: 'Hello **there**' })}>…
 */
export function createMockTransport(options: MockTransportOptions = {}): Transport {
  const { reply = 'Happy to help! Orders ship within **one business day**.', chunkSize = 12, delayMs = 30 } = options;
  let turn = 0;
  return {
    async *sendMessage(request, { signal } = {}) {
      turn++;
      const threadId = request.threadId ?? 'mock-thread';
      const messageId = `mock-message-${turn}`;
      if (options.error) throw new ConciergeError(options.error);
      yield { type: 'start', threadId, messageId } satisfies StreamEvent;
      for (let offset = 0; offset < reply.length; offset += chunkSize) {
        if (options.holdAfter !== undefined && offset >= options.holdAfter) await waitForever(signal);
        await pause(delayMs, signal);
        yield { type: 'delta', text: reply.slice(offset, offset + chunkSize) };
      }
      if (options.holdAfter !== undefined && options.holdAfter >= reply.length) await waitForever(signal);
      yield { type: 'sources', sources: options.sources ?? [] };
      if (options.products?.length) yield { type: 'products', products: options.products };
      if (options.suggestions?.length) yield { type: 'suggestions', suggestions: options.suggestions };
      yield { type: 'done', threadId, messageId, confidence: 0.9, ...(options.offerHandoff ? { offerHandoff: true } : {}) };
    },
    async sendFeedback() {
      await pause(delayMs);
      if (options.actionError) throw new ConciergeError(options.actionError);
      return { recorded: true, duplicate: false };
    },
    async requestHandoff() {
      await pause(delayMs);
      if (options.actionError) throw new ConciergeError(options.actionError);
      return { handoffId: `mock-handoff-${turn}`, replyTime: options.replyTime ?? 'within one business day' };
    },
    async getThread(threadId) {
      if (options.history?.threadId === threadId) return options.history;
      throw new ConciergeError({ code: 'not_found', message: 'No thread has that id.', status: 404 });
    },
    async getProductFaqs() {
      return options.productFaqs ?? { status: 'not_available', faqs: [] };
    },
  };
}

function pause(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(aborted())), { once: true });
  });
}

function waitForever(signal?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) return reject(aborted());
    signal?.addEventListener('abort', () => reject(aborted()), { once: true });
  });
}

function aborted(): ConciergeError {
  return new ConciergeError({ code: 'aborted', message: 'The request was stopped.' });
}
