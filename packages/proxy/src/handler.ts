import {
  encodeStreamEvent,
  LIMITS,
  THREAD_TOKEN_HEADER,
  type SendMessageRequest,
  type SendMessageResponse,
  type Source,
  type StreamEvent,
  type ThreadMessage,
} from '@concierge/core';
import { HttpError } from './http-error';
import { createProductFaqsRoute } from './product-faqs-route';
import type { Provider, ProviderEvent, ProductFaqsSource } from './provider';
import { parseSendMessage, threadIdSchema } from './schema';
import { createMemoryStore, type ProxyStore } from './store';
import { createCors } from './cors';
import { clientAddress } from './client-address';
import { createRateLimiter, type RateLimitOptions } from './rate-limit';
import { createThreadTokens } from './thread-tokens';

export interface ConciergeHandlerOptions {
  /** The answering backend, e.g. `await createLocalProvider({ dir })`. */
  provider: Provider | Promise<Provider>;
  /** Path the routes live under. @default "/api/concierge" */
  basePath?: string;
  /**
   * Everything the proxy remembers (threads, rate limits, the FAQ cache…): `createRedisStore` to
   * share it between instances. @default a bounded store in this process's memory
   */
  store?: ProxyStore;
  /** How long a thread's transcript is kept after its last message, in seconds. @default 30 days */
  threadTtlSeconds?: number;
  /** Largest accepted request body in bytes. @default 65536 */
  maxBodyBytes?: number;
  /** Reports unexpected failures (never message text). @default console.error */
  onError?: (error: unknown) => void;
  /** Origins of other sites allowed to call the proxy from a browser (same-origin always is). @default [] */
  allowedOrigins?: string[];
  /** Messages per client and per thread per window, and per day for the store; `false` for none. @default 30 and 20 a minute */
  rateLimit?: RateLimitOptions | false;
  /**
   * Proxies in front of this one that append to `X-Forwarded-For` and are trusted to
   * (`CONCIERGE_TRUST_PROXY`). @default 0: the client address is the socket's, never a header
   */
  trustProxy?: number;
  /** Identifies the client for rate limiting. @default the address {@link clientAddress} finds */
  clientKey?: (request: Request) => string;
  /** Where product FAQs come from. @default the provider's own, or none (`not_available`) */
  productFaqs?: ProductFaqsSource | null;
  /** How long ready and not-available FAQ answers are kept, in seconds. @default 86400 */
  productFaqsCacheSeconds?: number;
  /**
   * Key of the thread tokens (`CONCIERGE_SECRET`); every instance must have the same.
   * @default a random key of this process: tokens stop working after a restart and on other instances
   */
  secret?: string;
}

/** A Web-standard request handler; every adapter wraps one of these. */
export type ConciergeHandler = (request: Request) => Promise<Response>;

/**
 * Creates the proxy: `POST {basePath}/messages` answers as SSE or JSON,
 * `GET {basePath}/threads/{threadId}` returns a thread's history, `GET {basePath}/health` says it is up.
 *
 * @example
 * const handler = createConciergeHandler({ provider: createLocalProvider({ dir: './content' }) })
 */
export function createConciergeHandler(options: ConciergeHandlerOptions): ConciergeHandler {
  const basePath = (options.basePath ?? '/api/concierge').replace(/\/+$/, '');
  const store = options.store ?? createMemoryStore();
  const threadTtlSeconds = options.threadTtlSeconds ?? 30 * 86_400;
  const maxBodyBytes = options.maxBodyBytes ?? LIMITS.bodyMaxBytes;
  const onError = options.onError ?? ((error: unknown) => console.error('[concierge]', error));
  const cors = createCors(options.allowedOrigins ?? []);
  const limiter = options.rateLimit === false ? null : createRateLimiter(store, options.rateLimit);
  const clientKey = options.clientKey ?? ((request: Request) => clientAddress(request, options.trustProxy));
  const tokens = createThreadTokens(options.secret);
  // An unknown thread and someone else's thread look the same, so ids cannot be probed.
  const assertOwner = async (request: Request, threadId: string) => {
    if (!(await tokens.verify(threadId, request.headers.get(THREAD_TOKEN_HEADER)))) {
      throw new HttpError(404, 'not_found', 'No thread has that id.');
    }
  };
  const providerPromise = Promise.resolve(options.provider);
  // An unhandled rejection would crash the server; the failure is reported per request.
  providerPromise.catch(() => {});

  const routes: Record<string, Partial<Record<string, (request: Request, parameter: string) => Promise<Response>>>> = {
    messages: { POST: (request) => sendMessage(request) },
    threads: { GET: (request, threadId) => getThread(request, threadId) },
    health: { GET: async () => Response.json({ ok: true, provider: (await providerPromise).name }) },
    'product-faqs': {
      GET: createProductFaqsRoute({
        source: async () =>
          options.productFaqs === null ? undefined : (options.productFaqs ?? (await providerPromise).productFaqs),
        cacheSeconds: options.productFaqsCacheSeconds ?? 86_400,
        store,
        onError,
      }),
    },
  };

  async function sendMessage(request: Request): Promise<Response> {
    const body = parseSendMessage(await readJson(request, maxBodyBytes));
    const provider = await providerPromise;
    const continuing = body.newConversation ? undefined : body.threadId;
    if (continuing) await assertOwner(request, continuing);
    await limiter?.message(continuing);
    const provisional = { threadId: continuing ?? crypto.randomUUID(), messageId: crypto.randomUUID() };
    const keepsTranscripts = !provider.history;
    const history = continuing && keepsTranscripts ? ((await store.readMessages(continuing)) ?? []) : [];
    const userMessage: ThreadMessage = {
      id: crypto.randomUUID(),
      role: 'user',
      text: body.message,
      createdAt: new Date().toISOString(),
    };
    const controller = new AbortController();
    request.signal.addEventListener('abort', () => controller.abort(), { once: true });
    const events = provider.reply({
      message: body.message,
      threadId: continuing,
      history,
      locale: body.locale,
      pageUrl: body.pageUrl,
      metadata: body.metadata,
      faqId: body.faqId,
      externalUserId: body.externalUserId,
      newConversation: body.newConversation,
      agentMode: body.agentMode,
      channel: body.channel,
      signal: controller.signal,
    })[Symbol.asyncIterator]();

    // The first event is awaited before answering, so a vendor that fails at once gives a real
    // HTTP status (429 with Retry-After, 402, 504…) instead of an error inside a 200 stream.
    const first = await events.next();
    const reply = {
      text: '',
      sources: [] as Source[],
      done: undefined as Extract<ProviderEvent, { type: 'done' }> | undefined,
    };
    const ids = () => ({
      threadId: reply.done?.threadId ?? provisional.threadId,
      messageId: reply.done?.messageId ?? provisional.messageId,
    });
    let saved = false;
    const save = async () => {
      saved = true;
      if (!keepsTranscripts || (!reply.done && !reply.text)) return;
      await store.appendMessages(ids().threadId, [
        userMessage,
        {
          id: ids().messageId,
          role: 'assistant',
          text: reply.text,
          sources: reply.sources,
          createdAt: new Date().toISOString(),
          ...(reply.done ? {} : { interrupted: true }),
        },
      ], threadTtlSeconds);
    };

    async function* run(): AsyncGenerator<StreamEvent> {
      yield { type: 'start', ...provisional, threadToken: await tokens.issue(provisional.threadId) };
      try {
        for (let next = first; !next.done; next = await events.next()) {
          const event = next.value;
          if (event.type === 'delta') reply.text += event.text;
          else if (event.type === 'sources') reply.sources = event.sources;
          else {
            reply.done = event;
            break;
          }
          yield event;
        }
        if (!reply.done) {
          if (controller.signal.aborted) return;
          throw new HttpError(502, 'upstream_unavailable', 'The reply was cut off before it finished.');
        }
        // Saved before `done` is sent, so a history request right after it sees this turn.
        await save();
        const { confidence, raw } = reply.done;
        yield {
          type: 'done',
          ...ids(),
          threadToken: await tokens.issue(ids().threadId),
          ...(confidence === undefined ? {} : { confidence }),
          ...(raw === undefined ? {} : { raw }),
        };
      } finally {
        if (!saved) await save();
        await events.return?.();
      }
    }

    if (!wantsStream(request, body)) {
      for await (const event of run()) void event;
      const { confidence, raw } = reply.done ?? {};
      const json: SendMessageResponse = {
        ...ids(),
        threadToken: await tokens.issue(ids().threadId),
        text: reply.text,
        sources: reply.sources,
      };
      if (confidence !== undefined) json.confidence = confidence;
      if (raw !== undefined) json.raw = raw;
      return Response.json(json);
    }
    return new Response(sseStream(run(), provisional.messageId, controller, onError), {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }

  async function getThread(request: Request, threadId: string): Promise<Response> {
    if (!threadIdSchema.safeParse(threadId).success) {
      throw new HttpError(400, 'invalid_request', 'threadId must be 1–128 letters, digits, ".", "_", ":" or "-".', {
        field: 'threadId',
      });
    }
    // Checked before anything is read, so a vendor is never asked for a conversation the caller does not own.
    await assertOwner(request, threadId);
    const { signal } = request;
    const provider = await providerPromise;
    const history = provider.history
      ? await provider.history(threadId, signal)
      : await store.readMessages(threadId).then((messages) => messages && { threadId, messages });
    if (!history) throw new HttpError(404, 'not_found', 'No thread has that id.');
    return Response.json(history);
  }

  return async (request) => {
    let response: Response;
    try {
      response = await route(request);
    } catch (thrown) {
      if (thrown instanceof HttpError) response = thrown.toResponse();
      else {
        onError(thrown);
        response = new HttpError(500, 'internal', 'Something went wrong on our side. Please try again.').toResponse();
      }
    }
    for (const [name, value] of Object.entries(cors.headers(request))) response.headers.set(name, value);
    return response;
  };

  async function route(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path !== basePath && !path.startsWith(`${basePath}/`)) throw notFound();
    const [name = '', parameter = '', ...rest] = path.slice(basePath.length + 1).split('/');
    const route = routes[name];
    if (!route || rest.length || (name === 'threads') !== Boolean(parameter)) throw notFound();
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const allowed = Object.keys(route).join(', ');
    if (method === 'OPTIONS') return cors.preflight(request, `${allowed}, OPTIONS`);
    cors.check(request);
    const action = route[method];
    if (!action) {
      throw new HttpError(405, 'method_not_allowed', `Use ${allowed} for this route.`, {
        headers: { allow: allowed },
      });
    }
    const limits: Record<string, string> = name === 'messages' && limiter ? await limiter.client(clientKey(request)) : {};
    const response = await action(request, decodePathSegment(parameter));
    for (const [header, value] of Object.entries(limits)) response.headers.set(header, value);
    return response;
  }
}

/** A path segment's text; bad percent-encoding (`%ZZ`, overlong UTF-8) is the client's error. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The path is not valid percent-encoded UTF-8.', { field: 'path' });
  }
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'No such route.');
}

function wantsStream(request: Request, body: SendMessageRequest): boolean {
  if (body.stream !== undefined) return body.stream;
  return (request.headers.get('accept') ?? '').includes('text/event-stream');
}

/** Reads a JSON body of at most `maxBytes`, answering 413, 415 or 400 when it is not one. */
async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', { field: 'body' });
  }
  const tooLarge = () =>
    new HttpError(413, 'payload_too_large', `The body can be at most ${maxBytes} bytes.`, { field: 'body' });
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid JSON.', { field: 'body' });
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const result = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return result;
}

function sseStream(
  events: AsyncGenerator<StreamEvent>,
  messageId: string,
  controller: AbortController,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let sequence = 0;
  return new ReadableStream<Uint8Array>({
    async pull(stream) {
      try {
        const { done, value } = await events.next();
        if (done) return stream.close();
        stream.enqueue(encoder.encode(encodeStreamEvent(value, `${messageId}:${sequence++}`)));
      } catch (thrown) {
        const error =
          thrown instanceof HttpError
            ? thrown
            : new HttpError(502, 'upstream_unavailable', 'The answer could not be completed. Please try again.');
        if (!(thrown instanceof HttpError)) onError(thrown);
        const { code, message, retryAfterSeconds, reason } = error.toBody().error;
        const event: StreamEvent = {
          type: 'error',
          code,
          message,
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
          ...(reason === undefined ? {} : { reason }),
        };
        stream.enqueue(encoder.encode(encodeStreamEvent(event, `${messageId}:${sequence++}`)));
        stream.close();
      }
    },
    async cancel() {
      controller.abort();
      await events.return(undefined);
    },
  });
}
