import { EventSourceParserStream } from 'eventsource-parser/stream';
import { ConciergeError } from './errors';
import type {
  FeedbackRequest,
  FeedbackResponse,
  HandoffRequest,
  HandoffResponse,
  ProductFaq,
  ProductFaqsRequest,
  ProductFaqsResponse,
  SendMessageRequest,
  SendMessageResponse,
  StreamEvent,
  ThreadHistory,
} from './protocol';
import { LIMITS, STREAM_EVENT_TYPES, THREAD_TOKEN_HEADER } from './protocol';

export interface RequestOptions {
  signal?: AbortSignal;
  /** Sent as the `Idempotency-Key` header: the turn's id, the same on every attempt. */
  idempotencyKey?: string;
  /** Sent as the `Concierge-Thread-Token` header: proves the caller owns the thread. */
  threadToken?: string;
}

/**
 * How a session talks to a proxy. The default speaks HTTP + SSE ({@link createHttpTransport});
 * tests and Storybook can supply their own.
 */
export interface Transport {
  /** Sends a message and yields the reply's events until `done`; throws a ConciergeError on failure. */
  sendMessage(request: SendMessageRequest, options?: RequestOptions): AsyncIterable<StreamEvent>;
  /** Fetches a thread's messages. */
  getThread(threadId: string, options?: RequestOptions): Promise<ThreadHistory>;
  /** Fetches a product page's FAQs (or learns they are being generated). */
  getProductFaqs(request: ProductFaqsRequest, options?: RequestOptions): Promise<ProductFaqsResponse>;
  /** Stops the reply of a turn (its `idempotencyKey`) wherever the proxy produces it. */
  stopReply?(idempotencyKey: string, options?: RequestOptions): Promise<void>;
  /** Records the shopper's rating of a reply. */
  sendFeedback?(request: FeedbackRequest, options?: RequestOptions): Promise<FeedbackResponse>;
  /** Asks for a person to take the conversation over. */
  requestHandoff?(request: HandoffRequest, options?: RequestOptions): Promise<HandoffResponse>;
}

export interface HttpTransportOptions {
  /** Base URL of the proxy, e.g. `/api/concierge`; a function is read for every request. */
  endpoint: string | (() => string);
  /** `fetch` to use. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent with every request; a function is read for every request (e.g. a refreshed token). */
  headers?: Record<string, string> | (() => Record<string, string> | undefined);
}

/**
 * Transport over `fetch` that asks the proxy for an SSE stream and parses it with
 * eventsource-parser. JSON replies are accepted too and turned into the same events.
 *
 * @example
 * const transport = createHttpTransport({ endpoint: '/api/concierge' })
 * for await (const event of transport.sendMessage({ message: 'Hi' })) console.log(event)
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const read = <T,>(value: T | (() => T)) => (typeof value === 'function' ? (value as () => T)() : value);
  // Every request carries the site's headers, and the thread's token when there is one.
  const doFetch = (path: string, init: RequestInit & { headers?: Record<string, string> }, threadToken?: string) =>
    (options.fetch ?? globalThis.fetch)(read(options.endpoint).replace(/\/+$/, '') + path, {
      ...init,
      headers: { ...read(options.headers), ...init.headers, ...(threadToken ? { [THREAD_TOKEN_HEADER]: threadToken } : {}) },
    }).catch((thrown: unknown) => {
      throw ConciergeError.from(thrown);
    });

  const postJson = async <T,>(path: string, body: unknown, { signal, threadToken }: RequestOptions = {}): Promise<T> => {
    const response = await doFetch(
      path,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal },
      threadToken,
    );
    if (!response.ok) throw await errorFromResponse(response);
    return (await response.json()) as T;
  };

  return {
    async *sendMessage(request, { signal, idempotencyKey, threadToken } = {}) {
      let response = await doFetch(
        '/messages',
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream, application/json',
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          body: JSON.stringify({ stream: true, ...request }),
          signal,
        },
        threadToken,
      );
      if (!response.ok) throw await errorFromResponse(response);
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.includes('text/event-stream')) {
        yield* eventsFromJson((await response.json()) as SendMessageResponse);
        return;
      }
      // A dropped connection is resumed after the last event seen (the proxy keeps the reply
      // going and logged); waits between tries grow, and a reply gone from the proxy ends here.
      const last = { id: '' };
      let wait = 0;
      for (let resume = false; ; resume = true) {
        try {
          if (resume) {
            response = await doFetch(
              `/replies/${encodeURIComponent(idempotencyKey!)}`,
              { headers: { accept: 'text/event-stream', 'last-event-id': last.id }, signal },
              threadToken,
            );
            if (response.status === 404) throw new ConciergeError({ code: 'upstream_unavailable', message: 'The reply can no longer be resumed.' });
            if (!response.ok) throw await errorFromResponse(response);
          }
          if (!response.body) throw malformed('The reply stream had no body.');
          for await (const event of eventsFromStream(response.body, signal, last)) {
            wait = 0;
            yield event;
          }
          return;
        } catch (thrown) {
          const cut = CUTS.has(thrown as ConciergeError) || (resume && (thrown as ConciergeError).code === 'network');
          if (!cut || !idempotencyKey || !last.id || wait >= RESUME_DELAYS_MS.length) throw thrown;
        }
        await sleep(RESUME_DELAYS_MS[wait++]!, signal);
      }
    },

    async stopReply(idempotencyKey, { signal, threadToken } = {}) {
      await doFetch(`/replies/${encodeURIComponent(idempotencyKey)}/stop`, { method: 'POST', signal }, threadToken);
    },

    sendFeedback: (request, options) => postJson<FeedbackResponse>('/feedback', request, options),

    requestHandoff: (request, options) => postJson<HandoffResponse>('/handoff', request, options),

    async getThread(threadId, { signal, threadToken } = {}) {
      const response = await doFetch(`/threads/${encodeURIComponent(threadId)}`, { headers: { accept: 'application/json' }, signal }, threadToken);
      if (!response.ok) throw await errorFromResponse(response);
      return (await response.json()) as ThreadHistory;
    },

    async getProductFaqs(request, { signal } = {}) {
      const query = new URLSearchParams({ page_url: request.pageUrl });
      if (request.locale) query.set('locale', request.locale);
      if (request.count !== undefined) query.set('count', String(request.count));
      const response = await doFetch(`/product-faqs?${query}`, {
        headers: { accept: 'application/json' },
        signal,
      });
      if (!response.ok && response.status !== 202) throw await errorFromResponse(response);
      // The wire follows the vendors' lifecycle: `retry_after_seconds` and a Retry-After header.
      const body = (await response.json().catch(() => null)) as
        | { status?: string; faqs?: ProductFaq[]; retry_after_seconds?: number }
        | null;
      if (body?.status === 'generating') {
        return { status: 'generating', retryAfterSeconds: body.retry_after_seconds || Number(response.headers.get('retry-after')) || 2 };
      }
      if (body?.status === 'ready' && Array.isArray(body.faqs)) return { status: 'ready', faqs: body.faqs };
      if (body?.status === 'not_available') return { status: 'not_available', faqs: [] };
      throw malformed('The product FAQs reply was not understood.');
    },
  };
}

/** Waits before each try to resume a dropped reply: about 15 s in all. */
const RESUME_DELAYS_MS = [0, 250, 500, 1000, 2000, 4000, 8000];
/** Errors that mean the connection dropped, not that the proxy said the reply failed. */
const CUTS = new WeakSet<ConciergeError>();

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(ConciergeError.from(abortError(signal)))), { once: true });
  });
}

async function* eventsFromStream(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
  last: { id: string } = { id: '' },
): AsyncGenerator<StreamEvent> {
  const reader = body
    .pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>)
    .pipeThrough(new EventSourceParserStream({ maxBufferSize: LIMITS.eventMaxChars }))
    .getReader();
  // Stop at once even when a custom fetch does not end the body on abort.
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((thrown: unknown) => {
        if (signal?.aborted) throw ConciergeError.from(abortError(signal));
        throw (thrown as { type?: string } | null)?.type === 'max-buffer-size-exceeded'
          ? malformed('An event of the reply was longer than allowed.', thrown)
          : cutOff(thrown);
      });
      if (done || signal?.aborted) break;
      const type = value.event as StreamEvent['type'] | undefined;
      if (!type || !STREAM_EVENT_TYPES.includes(type)) continue;
      let data: unknown;
      try {
        data = JSON.parse(value.data);
      } catch (thrown) {
        throw malformed(`The "${type}" event carried invalid JSON.`, thrown);
      }
      const event = { ...(data as object), type } as StreamEvent;
      if (event.type === 'error') {
        throw new ConciergeError({
          code: event.code,
          message: event.message,
          retryAfterSeconds: event.retryAfterSeconds,
          reason: event.reason,
        });
      }
      if (value.id) last.id = value.id;
      yield event;
      if (event.type === 'done') return;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
  throw signal?.aborted ? ConciergeError.from(abortError(signal)) : cutOff();
}

function* eventsFromJson(reply: SendMessageResponse): Generator<StreamEvent> {
  if (typeof reply?.threadId !== 'string' || typeof reply.text !== 'string') {
    throw malformed('The reply was not a Concierge message.');
  }
  const { text, sources, products, ...ids } = reply;
  yield { type: 'start', threadId: reply.threadId, messageId: reply.messageId, threadToken: reply.threadToken };
  yield { type: 'delta', text };
  yield { type: 'sources', sources: sources ?? [] };
  if (products?.length) yield { type: 'products', products };
  yield { ...ids, type: 'done' };
}

async function errorFromResponse(response: Response): Promise<ConciergeError> {
  const body: unknown = await response.json().catch(() => null);
  const error = ConciergeError.fromBody(body, response.status);
  if (error.code === 'rate_limited' && error.retryAfterSeconds === undefined) {
    const header = Number(response.headers.get('retry-after'));
    if (Number.isFinite(header) && header >= 0) {
      return new ConciergeError({ ...error, message: error.message, retryAfterSeconds: header });
    }
  }
  return error;
}

function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError' ? reason : new DOMException('Aborted', 'AbortError');
}

function malformed(message: string, cause?: unknown): ConciergeError {
  return new ConciergeError({ code: 'upstream_malformed', message, cause });
}

function cutOff(cause?: unknown): ConciergeError {
  const error = new ConciergeError({
    code: 'upstream_unavailable',
    message: 'The reply was cut off before it finished.',
    cause,
  });
  CUTS.add(error);
  return error;
}
