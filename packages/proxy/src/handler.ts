import {
  encodeStreamEvent,
  type ProductCard,
  type ErrorCode,
  LIMITS,
  THREAD_TOKEN_HEADER,
  type SendMessageRequest,
  type SendMessageResponse,
  type Source,
  type StreamEvent,
  type ThreadMessage,
} from '@concierge/core';
import { encodeLogged, type SseSource, sseResponse } from './sse-body';
import { HttpError } from './http-error';
import { createProductFaqsRoute } from './product-faqs-route';
import type { ProductCardsFor } from './local/catalog-cards';
import type { ConversationState, OrderLookup, Provider, ProductFaqsSource } from './provider';
import { parseSendMessage, threadIdSchema } from './schema';
import { createMemoryStore, threadStateKey, type ProxyStore } from './store';
import { createCors } from './cors';
import { clientAddress } from './client-address';
import { createRateLimiter, type RateLimitOptions } from './rate-limit';
import { createThreadTokens } from './thread-tokens';
import { createReplyLog, type LoggedReplyEvent, type ReplyLog, type ReplyReader } from './replies';
import { createShopperActions, sha256Hex } from './shopper-actions';
import { createWebhookSender, type Feedback, type Handoff, type WebhookEvent, type WebhookOptions } from './webhooks';

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
  /** How long a thread's transcript and conversation state are kept after its last message, in seconds. @default 30 days */
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
  /**
   * Cards for replies whose provider sends none: sources that point to a product page of the
   * store's catalog become product cards (`productCardsFromCatalog(dir)`; set from `CONCIERGE_KB_DIR` for vendors).
   */
  productCards?: ProductCardsFor;
  /** The store's order lookup, for "where is my order?": the assistant asks for the order number and email. */
  orders?: OrderLookup;
  /** Where product FAQs come from. @default the provider's own, or none (`not_available`) */
  productFaqs?: ProductFaqsSource | null;
  /** How long ready and not-available FAQ answers are kept, in seconds. @default 86400 */
  productFaqsCacheSeconds?: number;
  /**
   * Key of the thread tokens (`CONCIERGE_SECRET`); every instance must have the same.
   * @default a random key of this process: tokens stop working after a restart and on other instances
   */
  secret?: string;
  /** How long a reply's events are kept after it ends, for readers resuming it, in seconds. @default 600 */
  replyTtlSeconds?: number;
  /**
   * Keeps a serverless function alive until a reply it produces has ended (e.g. Vercel's
   * `waitUntil`), as the reply goes on after the shopper's request. @default none: a long-lived server
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * Called with each new rating of a reply (thumbs up or down, and a comment), after the proxy
   * checked the shopper owns the thread. Runs in the background: it never delays the shopper.
   */
  onFeedback?: (feedback: Feedback) => void | Promise<void>;
  /**
   * Called when a shopper asks for a person, with their email, note and the transcript. Setting
   * it (or `webhook`) turns the handoff route on. Runs in the background.
   */
  onHandoff?: (handoff: Handoff) => void | Promise<void>;
  /** Told to a shopper after a handoff (`CONCIERGE_HANDOFF_REPLY_TIME`). @default "within one business day" */
  handoffReplyTime?: string;
  /**
   * Where feedback, handoff and billing-problem events are POSTed, signed per the Standard
   * Webhooks spec and retried with backoff (`CONCIERGE_WEBHOOK_URL`, `CONCIERGE_WEBHOOK_SECRET`).
   */
  webhook?: WebhookOptions;
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
  const replies = createReplyLog({ store, onError, replyTtlSeconds: options.replyTtlSeconds });
  const { waitUntil } = options;
  // An unknown thread and someone else's thread look the same, so ids cannot be probed.
  const assertOwner = async (request: Request, threadId: string) => {
    if (!(await tokens.verify(threadId, request.headers.get(THREAD_TOKEN_HEADER)))) {
      throw new HttpError(404, 'not_found', 'No thread has that id.');
    }
  };
  const providerPromise = Promise.resolve(options.provider);
  // An unhandled rejection would crash the server; the failure is reported per request.
  providerPromise.catch(() => {});
  const webhook = options.webhook ? createWebhookSender(options.webhook, onError) : undefined;
  /** Tells the store, through its hook and its webhook, without making the shopper wait. */
  const notify = (event: WebhookEvent) => {
    const hook =
      event.type === 'feedback.created' ? options.onFeedback?.(event.data) : event.type === 'handoff.requested' ? options.onHandoff?.(event.data) : undefined;
    const delivery = Promise.all([Promise.resolve(hook).catch(onError), webhook?.send(event)]).catch(onError);
    waitUntil?.(delivery);
  };
  /** A billing refusal needs the store's owner; told once per reason every 10 minutes, not per shopper. */
  const reportBilling = async (provider: string, error: HttpError) => {
    const reason = error.reason ?? 'billing';
    if (!(await store.claim(`billing-reported:${provider}:${reason}`, 1, 600).catch(() => false))) return;
    notify({ type: 'billing.problem', data: { provider, reason, message: error.message, createdAt: new Date().toISOString() } });
  };
  const actions = createShopperActions({
    store,
    assertOwner,
    threadTtlSeconds,
    keepsTranscripts: async () => !(await providerPromise).history,
    async transcript(threadId, signal) {
      const provider = await providerPromise;
      return provider.history ? (await provider.history(threadId, signal))?.messages : store.readMessages(threadId);
    },
    handoffEnabled: Boolean(options.onHandoff || webhook),
    handoffReplyTime: options.handoffReplyTime ?? 'within one business day',
    notify,
    readJson: (request) => readJson(request, maxBodyBytes),
  });

  const routes: Record<string, Partial<Record<string, (request: Request, parameter: string) => Promise<Response>>>> = {
    messages: { POST: (request) => sendMessage(request) },
    threads: { GET: (request, threadId) => getThread(request, threadId) },
    replies: { GET: (request, key) => resumeReply(request, key) },
    'replies/stop': { POST: (request, key) => stopReply(request, key) },
    feedback: { POST: (request) => actions.feedback(request) },
    handoff: { POST: (request) => actions.handoff(request) },
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
    const key = idempotencyKey(request);
    const provider = await providerPromise;
    const continuing = body.newConversation ? undefined : body.threadId;
    if (continuing) await assertOwner(request, continuing);
    const keepsTranscripts = !provider.history;
    // The thread's transcript and state, read together (one round trip on Redis) while the turn
    // is claimed and counted below: the provider gets them without waiting on the store again.
    const earlier: Promise<ThreadBeforeTurn> = continuing ? readThread(continuing, keepsTranscripts) : Promise.resolve({ history: [], state: {} });
    // Awaited by the reply; a request that ends before it (a repeat, a limit) leaves it unread.
    earlier.catch(() => {});
    const stream = wantsStream(request, body);
    const replyId = crypto.randomUUID();
    let claim: Awaited<ReturnType<ReplyLog['claim']>> | undefined;
    if (key) {
      // The thread is left out: a turn re-sent after its reply started names the thread that
      // reply created, which its first attempt could not.
      const { stream: _, threadId: __, newConversation: ___, ...fields } = body;
      claim = await replies.claim(key, await fingerprint(fields), continuing);
      // A repeat of a request answered or being answered: the same reply, and no new vendor call.
      if (claim.type === 'join') return answer(request, stream, claim.replyId, claim.result);
    }
    try {
      await limiter?.message(continuing);
    } catch (thrown) {
      if (key) await replies.release(key, '');
      throw thrown;
    }
    // The key is bound to this reply while the vendor is asked (its first event waits for it); a
    // repeat meanwhile waits for the binding. A binding that failed frees the key.
    const bound = claim?.type === 'new' ? claim.bind(replyId) : undefined;
    bound?.catch(() => replies.release(key!, '').catch(() => {}));
    const provisional = { threadId: continuing ?? crypto.randomUUID(), messageId: crypto.randomUUID() };
    const userMessage: ThreadMessage = {
      // The turn's key is its id, so a client can tell its own turns in the history.
      id: key ?? crypto.randomUUID(),
      role: 'user',
      text: body.message,
      createdAt: new Date().toISOString(),
    };
    const reply = {
      // The deltas' text, joined when saved: a string added to per delta is one object per
      // delta for the garbage collector, and a store in memory keeps the transcript for days.
      parts: [] as string[],
      sources: [] as Source[],
      products: [] as ProductCard[],
      suggestions: [] as string[],
      offerHandoff: false,
      threadId: provisional.threadId as string,
      messageId: provisional.messageId as string,
      done: false,
      /** The thread's state when the turn began; `state` once the provider replaced it. */
      earlierState: {} as ConversationState,
      state: undefined as ConversationState | undefined,
    };
    let saved = false;
    const save = async () => {
      saved = true;
      // The state moves only with a reply that completed, and is written again with each one
      // (the provider's new state or the one it kept), so it lives as long as the transcript.
      const state = reply.done ? (reply.state ?? reply.earlierState) : undefined;
      const saving = state && (Object.keys(state).length || Object.keys(reply.earlierState).length) ? saveState(reply.threadId, state) : undefined;
      if (!keepsTranscripts || (!reply.done && !reply.parts.length)) return void (await saving);
      const appending = store.appendMessages(reply.threadId, [
        userMessage,
        {
          id: reply.messageId,
          role: 'assistant',
          text: reply.parts.join(''),
          sources: reply.sources,
          ...(reply.products.length ? { products: reply.products } : {}),
          ...(reply.suggestions.length ? { suggestions: reply.suggestions } : {}),
          ...(reply.offerHandoff ? { offerHandoff: true } : {}),
          createdAt: new Date().toISOString(),
          ...(reply.done ? {} : { interrupted: true }),
        },
      ], threadTtlSeconds);
      await Promise.all([appending, saving]);
    };

    // The reply is produced apart from this request: it goes on when the shopper's connection
    // drops, and only a Stop (or its end) ends it.
    async function* source(signal: AbortSignal): AsyncGenerator<StreamEvent> {
      const { history, state } = await earlier;
      reply.earlierState = state;
      const events = provider.reply({
        message: body.message,
        threadId: continuing,
        history,
        state,
        locale: body.locale,
        pageUrl: body.pageUrl,
        metadata: body.metadata,
        faqId: body.faqId,
        externalUserId: body.externalUserId,
        newConversation: body.newConversation,
        agentMode: body.agentMode,
        channel: body.channel,
        ...(options.orders ? { orders: options.orders } : {}),
        signal,
      })[Symbol.asyncIterator]();
      try {
        // The first event is awaited before `start`, so a vendor that fails at once gives the
        // request a real HTTP status (429 with Retry-After, 402, 504…), not an error in a stream.
        const first = await events.next();
        yield { type: 'start', ...provisional };
        for (let next = first; !next.done; next = await events.next()) {
          const event = next.value;
          if (event.type === 'delta') reply.parts.push(event.text);
          else if (event.type === 'sources') reply.sources = event.sources;
          else if (event.type === 'products') reply.products = event.products;
          else if (event.type === 'suggestions') {
            // At most three short questions reach the shopper, whatever the provider sent.
            reply.suggestions = event.suggestions.filter((text) => typeof text === 'string' && text.trim()).slice(0, 3).map((text) => text.trim().slice(0, 200));
            if (!reply.suggestions.length) continue;
            yield { type: 'suggestions', suggestions: reply.suggestions };
            continue;
          } else if (event.type === 'state') {
            // Kept for this thread, never sent to the browser.
            if (isStateObject(event.state)) reply.state = event.state;
            else onError(new Error(`The provider ${provider.name} yielded a state that is not a JSON object; it was ignored.`));
            continue;
          } else {
            const { confidence, raw } = event;
            reply.done = true;
            // A reply the assistant could not give offers a person.
            reply.offerHandoff = event.offerHandoff ?? (confidence !== undefined && confidence < HANDOFF_BELOW_CONFIDENCE);
            reply.threadId = event.threadId ?? reply.threadId;
            reply.messageId = event.messageId ?? reply.messageId;
            // A vendor's sources that are product pages of the catalog come as cards too.
            const cards = !reply.products.length && options.productCards ? await options.productCards(reply.sources) : [];
            if (cards.length) reply.products = cards;
            // Saved before `done` is sent, so a history request right after it sees this turn.
            await save();
            if (cards.length) yield { type: 'products', products: cards };
            yield {
              type: 'done',
              threadId: reply.threadId,
              messageId: reply.messageId,
              ...(confidence === undefined ? {} : { confidence }),
              ...(reply.offerHandoff ? { offerHandoff: true } : {}),
              ...(raw === undefined ? {} : { raw }),
            };
            return;
          }
          yield event;
        }
        if (!signal.aborted) throw new HttpError(502, 'upstream_unavailable', 'The reply was cut off before it finished.');
      } catch (thrown) {
        if (thrown instanceof HttpError && thrown.code === 'billing') await reportBilling(provider.name, thrown);
        throw thrown;
      } finally {
        if (!saved) await save().catch(onError);
        await events.return?.();
      }
    }

    const production = await replies.produce(
      replyId,
      source,
      async (result) => {
        if (key) await replies.finish(key, result);
      },
      bound,
    );
    // A key whose reply failed or was stopped is freed, so the turn can be sent again.
    const settled = production.finished.then(async () => {
      // After the binding, so a reply that failed at once does not leave the key bound to it.
      await bound?.catch(() => {});
      if (key && !reply.done) await replies.release(key, replyId);
    });
    settled.catch(onError);
    waitUntil?.(settled);
    try {
      await production.ready;
    } catch (thrown) {
      await settled.catch(() => {});
      throw thrown;
    }
    return answer(request, stream, replyId);
  }

  /** Answers with a reply's events from the start: as SSE, or as one JSON reply when it ends. */
  async function answer(request: Request, stream: boolean, replyId: string, result?: SendMessageResponse): Promise<Response> {
    let reader: ReplyReader = replies.reader(replyId, null, request.signal);
    // A finished reply whose events have expired is told again from what was kept of it.
    if (result && !(await replies.logged(replyId))) reader = replayOf(replyId, result);
    if (stream) return sse(reader);
    const json: SendMessageResponse = { threadId: '', messageId: '', text: '', sources: [] };
    for (const logged of await collect(reader)) {
      const event = withToken(logged.event);
      if (event.type === 'delta') json.text += event.text;
      else if (event.type === 'sources') json.sources = event.sources;
      else if (event.type === 'products') json.products = event.products;
      else if (event.type === 'suggestions') json.suggestions = event.suggestions;
      else if (event.type === 'start' || event.type === 'done') {
        const { type, ...fields } = event;
        Object.assign(json, fields);
      } else if (event.type === 'error') {
        const { code, message, retryAfterSeconds, reason } = event;
        throw new HttpError(ERROR_STATUS[code] ?? 502, code, message, {
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds, headers: { 'retry-after': String(retryAfterSeconds) } }),
          ...(reason === undefined ? {} : { reason }),
        });
      }
    }
    return Response.json(json);
  }

  /** Thread tokens are not logged: each reader gets them on `start` and `done`. */
  function withToken(event: StreamEvent): StreamEvent {
    if (event.type !== 'start' && event.type !== 'done') return event;
    return { ...event, threadToken: tokens.sign(event.threadId) };
  }

  /** `GET {base}/replies/{key}`: the reply of a turn after `Last-Event-ID`, then live until it ends. */
  async function resumeReply(request: Request, key: string): Promise<Response> {
    const { replyId } = await ownedReply(request, key);
    const last = request.headers.get('last-event-id');
    if (last !== null && !last.startsWith(`${replyId}/`)) {
      throw new HttpError(404, 'not_found', 'That reply can no longer be resumed.');
    }
    // After the reply's id, an event id as the proxy gives them (a log's `0-3`, or `local-3` when
    // the store could not log): anything else would reach the store's log as a cursor.
    if (last !== null && !EVENT_ID.test(last.slice(replyId.length + 1))) {
      throw new HttpError(400, 'invalid_request', 'Last-Event-ID is not an event id of this reply.', { field: 'Last-Event-ID' });
    }
    return sse(replies.reader(replyId, last, request.signal));
  }

  /** `POST {base}/replies/{key}/stop`: stops the reply of a turn, wherever it is produced. */
  async function stopReply(request: Request, key: string): Promise<Response> {
    let record = await keyRecord(request, key);
    if (!record?.replyId) {
      // The Stop came before its turn's request (another connection), or while its reply is about
      // to start: that reply is stopped as it starts. The key, the client's random turn id, is
      // all there is to show then.
      await limiter?.stopBeforeStart(clientKey(request));
      record = await replies.stopBeforeStart(key, (threadId) => assertOwner(request, threadId));
      return Response.json({ stopped: !record?.result });
    }
    if (!record.result) {
      await replies.stop(record.replyId);
      await replies.release(key, record.replyId);
    }
    return Response.json({ stopped: !record.result });
  }

  async function ownedReply(request: Request, key: string) {
    const record = await keyRecord(request, key);
    if (!record?.replyId) throw new HttpError(404, 'not_found', 'No reply has that key.');
    return record;
  }

  /** A key's record, when known, after checking that the caller owns its thread. */
  async function keyRecord(request: Request, key: string) {
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new HttpError(400, 'invalid_request', 'The key must be 8–255 letters, digits, ".", "_", ":" or "-".', { field: 'key' });
    }
    const record = await replies.lookup(key);
    if (record?.threadId) await assertOwner(request, record.threadId);
    return record;
  }

  /** A reply's events as SSE, written as they are pushed (one chunk per batch), with thread tokens on `start` and `done`. */
  function sse(reader: ReplyReader): Response {
    const source: SseSource = (write, end) =>
      reader({
        events(batch) {
          let text = '';
          for (const { id, event, data } of batch) {
            text += event.type === 'start' || event.type === 'done' ? encodeStreamEvent(withToken(event), id) : encodeLogged(event, id, data);
          }
          write(text);
        },
        end,
      });
    return sseResponse(source, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
  }

  /** A thread's transcript (when the proxy keeps it) and its conversation state, in one round. */
  async function readThread(threadId: string, withTranscript: boolean): Promise<ThreadBeforeTurn> {
    const [history, state] = await Promise.all([
      withTranscript ? store.readMessages(threadId) : undefined,
      store.get<unknown>(threadStateKey(threadId)),
    ]);
    return { history: history ?? [], state: isStateObject(state) ? state : {} };
  }

  /** Saves a thread's conversation state, unless it is too large to keep (a provider's bug). */
  async function saveState(threadId: string, state: ConversationState): Promise<void> {
    let size: number;
    try {
      size = JSON.stringify(state).length;
    } catch (error) {
      return onError(error);
    }
    if (size > STATE_MAX_CHARS) {
      return onError(new Error(`A conversation state of ${size} characters was not saved (at most ${STATE_MAX_CHARS}).`));
    }
    await store.set(threadStateKey(threadId), state, threadTtlSeconds);
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
    const [first = '', parameter = '', ...rest] = path.slice(basePath.length + 1).split('/');
    // `replies/{key}/stop` is the one route with a segment after its parameter.
    const name = first === 'replies' && rest.length === 1 && rest[0] === 'stop' ? 'replies/stop' : first;
    const route = routes[name];
    if (!route || (rest.length && name === first) || WITH_PARAMETER.has(name) !== Boolean(parameter)) throw notFound();
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
    // Everything a shopper sends counts against the client's limit: messages, feedback and handoffs.
    const limits: Record<string, string> = LIMITED.has(name) && limiter ? await limiter.client(clientKey(request)) : {};
    const response = await action(request, decodePathSegment(parameter));
    for (const [header, value] of Object.entries(limits)) response.headers.set(header, value);
    return response;
  }
}

const WITH_PARAMETER = new Set(['threads', 'replies', 'replies/stop']);
const LIMITED = new Set(['messages', 'feedback', 'handoff']);

/** What a provider is given of a thread it continues. */
interface ThreadBeforeTurn {
  history: ThreadMessage[];
  state: ConversationState;
}

/** The largest conversation state kept per thread, as JSON text: it is small data, not a transcript. */
const STATE_MAX_CHARS = 16_384;

/** A conversation state is a JSON object: not null, not an array. */
function isStateObject(value: unknown): value is ConversationState {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A reply below this confidence offers "Talk to a person" (a provider may say so itself). */
const HANDOFF_BELOW_CONFIDENCE = 0.3;

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

/** The events of a finished reply, rebuilt from the record kept with its key. */
function replayOf(replyId: string, result: SendMessageResponse): ReplyReader {
  const { text, sources, products, suggestions, threadId, messageId, threadToken, ...rest } = result;
  const events: StreamEvent[] = [
    { type: 'start', threadId, messageId },
    { type: 'delta', text },
    { type: 'sources', sources },
    ...(products?.length ? [{ type: 'products' as const, products }] : []),
    ...(suggestions?.length ? [{ type: 'suggestions' as const, suggestions }] : []),
    { type: 'done', threadId, messageId, ...rest },
  ];
  return (sink) => {
    sink.events(events.map((event, index) => ({ id: `${replyId}/kept-${index}`, event })));
    sink.end();
    return () => {};
  };
}

/** Every event a reader gives, once it has ended. */
function collect(reader: ReplyReader): Promise<LoggedReplyEvent[]> {
  return new Promise((resolve, reject) => {
    const all: LoggedReplyEvent[] = [];
    reader({
      events: (batch) => void all.push(...batch),
      end: (error) => (error === undefined ? resolve(all) : reject(error)),
    });
  });
}

/** Letters, digits and `._:-`: a UUID fits, and a key is never mistaken for a path. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,255}$/;
/** The part of an SSE `id:` after its reply: a stream entry id, or the position of an event the store could not log. */
const EVENT_ID = /^(?:\d{1,20}-\d{1,20}|local-\d{1,20})$/;

/** The `Idempotency-Key` header, checked; `undefined` when the request has none. */
function idempotencyKey(request: Request): string | undefined {
  const key = request.headers.get('idempotency-key');
  if (key === null) return undefined;
  // A structured-field string may come quoted.
  const value = key.trim().replace(/^"(.*)"$/, '$1');
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new HttpError(400, 'invalid_request', 'Idempotency-Key must be 8–255 letters, digits, ".", "_", ":" or "-".', {
      field: 'Idempotency-Key',
    });
  }
  return value;
}

/** SHA-256 of a request's fields: the same key with another request is refused. */
function fingerprint(value: unknown): Promise<string> {
  return sha256Hex(JSON.stringify(value));
}

/** The HTTP status of an error ending a reply, for a request that asked for one JSON reply. */
const ERROR_STATUS: Partial<Record<ErrorCode, number>> = {
  rate_limited: 429,
  billing: 402,
  upstream_timeout: 504,
  upstream_unavailable: 502,
  upstream_malformed: 502,
  unauthorized: 502,
  aborted: 409,
  not_found: 404,
  invalid_request: 400,
  internal: 500,
};
