import {
  type ChatEvent,
  type ChatMessage,
  type ChatState,
  INITIAL_STATE,
  type MessageContext,
  nextJob,
  reduce,
  snapshotOf,
} from './chat-state';
import { browserConnectivity, type Connectivity } from './connectivity';
import { ConciergeError } from './errors';
import { readSnapshot, type SessionStorage, writeSnapshot } from './persistence';
import type { HandoffRequest, HandoffResponse, ProductCard, SendMessageRequest, Source } from './protocol';
import { LIMITS } from './protocol';
import { retryDelay, type RetryOptions } from './retry-policy';
import { createStore, type Store } from './store';
import { createTabSync, type TabSync } from './tab-sync';
import type { RequestOptions, Transport } from './transport';

export interface ChatSessionOptions {
  transport: Transport;
  /** Persist the conversation here; `null` keeps it in memory. @default localStorage when available */
  storage?: SessionStorage | null;
  /** Storage key of this conversation; tabs with the same key stay in step. @default "concierge:thread" */
  storageKey?: string;
  /** Fields added to every message; a function is read when the shopper presses Send. */
  context?: MessageContext | (() => MessageContext);
  /** Schedules a UI update. @default requestAnimationFrame, or a 16 ms timer without one */
  scheduleFrame?: (callback: () => void) => void;
  /** Whether the device is online, and news when that changes. @default the browser's */
  connectivity?: Connectivity;
  /** Automatic retries of transient failures. */
  retry?: RetryOptions;
  /** A number in [0, 1) for the backoff's jitter. @default Math.random */
  random?: () => number;
}

/**
 * A framework-free conversation: a store the reducer writes, and the runner that sends
 * turns. Hooks subscribe to slices of `store`; nothing here knows about React.
 */
export interface ChatSession {
  store: Store<ChatState>;
  /**
   * Adds a turn to the outbox; resolves when it was answered, failed for good or was stopped.
   * `fields` adds request fields for this message only, e.g. `{ faqId }`.
   */
  send(text: string, fields?: MessageContext): Promise<void>;
  /** Sends the last failed turn again, or the one waiting for an automatic retry right now. */
  retry(): void;
  /** Stops the reply in progress, keeping what arrived. */
  stop(): void;
  /** Forgets the thread and its transcript; the next message starts a new conversation. */
  reset(): void;
  /**
   * Rates a finished reply of this thread (a `comment` with a thumbs down, typically); resolves
   * once the proxy recorded it, and the message then carries it. Rejects with a ConciergeError.
   */
  feedback(messageId: string, rating: 'up' | 'down', comment?: string): Promise<void>;
  /** Asks for a person to take the conversation over; resolves with when the store replies. */
  handoff(request: Pick<HandoffRequest, 'email' | 'note'>): Promise<HandoffResponse>;
  /**
   * Restores the persisted conversation, loads its history and starts listening to the
   * connection and to other tabs (call on the client after mount). Returns a disconnect function.
   */
  connect(): () => void;
}

interface LiveReply {
  attempt: number;
  controller: AbortController;
  text: string;
  sources: Source[];
  products?: ProductCard[];
  suggestions?: string[];
  frame: boolean;
}

const HISTORY_TIMEOUT_MS = 10_000;
const SETTLED = new Set<ChatMessage['status']>(['done', 'failed', 'interrupted']);

/**
 * Creates a conversation bound to a transport.
 *
 * @example
 * const session = createChatSession({ transport: createHttpTransport({ endpoint: '/api/concierge' }) })
 * await session.send('What is your return policy?')
 */
export function createChatSession(options: ChatSessionOptions): ChatSession {
  const storageKey = options.storageKey ?? 'concierge:thread';
  const scheduleFrame = options.scheduleFrame ?? defaultScheduleFrame;
  const connectivity = options.connectivity ?? browserConnectivity;
  const store = createStore<ChatState>({ ...INITIAL_STATE, online: connectivity.isOnline() });
  const { getState } = store;
  let tabs: TabSync | null = null;
  // Nothing is written before the stored conversation was read, so it cannot be overwritten.
  let restored = false;
  let live: LiveReply | null = null;
  let attempts = 0;
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const storage = (): SessionStorage | null => {
    if (options.storage !== undefined) return options.storage;
    try {
      return globalThis.localStorage ?? null;
    } catch {
      return null;
    }
  };

  const dispatch = (event: ChatEvent) => {
    const previous = getState();
    const next = reduce(previous, event);
    if (next === previous) return;
    store.setState(next);
    // An attempt the state no longer follows (stopped, reset here or in another tab) is aborted.
    if (live && next.active?.attempt !== live.attempt) {
      live.controller.abort();
      live = null;
    }
    const changed =
      next.messages !== previous.messages ||
      next.threadId !== previous.threadId ||
      next.threadToken !== previous.threadToken ||
      next.startNew !== previous.startNew;
    // What another tab sent is already stored; everything else is written and shared.
    if (changed && restored && (event.type !== 'sync' || event.restore)) {
      writeSnapshot(storage(), storageKey, snapshotOf(next));
      tabs?.publish(snapshotOf(next));
    }
    void run();
  };

  /** The thread's token for a request, when the proxy issued one. */
  const token = (): RequestOptions => {
    const { threadToken } = getState();
    return threadToken ? { threadToken } : {};
  };

  const publishReply = (reply: LiveReply) => {
    reply.frame = false;
    dispatch({ type: 'progress', attempt: reply.attempt, text: reply.text, sources: reply.sources });
  };

  // The runner: one job at a time, each chosen by `nextJob` from the state.
  const run = async () => {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const online = connectivity.isOnline();
        if (online !== getState().online) dispatch({ type: 'connectivity', online });
        const job = nextJob(getState(), Date.now());
        if (!job) break;
        if (job.type === 'wait') {
          clearTimeout(timer);
          timer = setTimeout(() => void run(), job.until - Date.now());
          break;
        }
        const { turn } = job;
        await (job.type === 'history' ? loadHistory(job.threadId) : tabs ? tabs.exclusive(() => sendTurn(turn!)) : sendTurn(turn!));
      }
    } finally {
      running = false;
    }
  };

  const loadHistory = async (threadId: string) => {
    // Bounded, so a slow proxy cannot hold the outbox back.
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), HISTORY_TIMEOUT_MS);
    try {
      const { signal } = controller;
      dispatch({ type: 'history', history: await untilAborted(options.transport.getThread(threadId, { ...token(), signal }), signal) });
    } catch (thrown) {
      // Offline: tried again when the connection is back. Otherwise the local transcript stands.
      if (ConciergeError.from(thrown).code !== 'network' || connectivity.isOnline()) dispatch({ type: 'history', history: null });
      else dispatch({ type: 'connectivity', online: false });
    } finally {
      clearTimeout(timeout);
    }
  };

  const sendTurn = async (turn: ChatMessage) => {
    // While this tab waited for the lock, another may have sent the turn (or the shopper stopped it).
    const stored = tabs && readSnapshot(storage(), storageKey);
    const copy = stored?.messages.find((message) => message.id === turn.id);
    if (stored && copy && SETTLED.has(copy.status)) return dispatch({ type: 'sync', snapshot: stored });
    const current = getState().messages.find((message) => message.id === turn.id);
    if (current?.status !== 'queued' || getState().active) return;

    const attempt = ++attempts;
    dispatch({ type: 'attempt', turnId: turn.id, attempt });
    const state = getState();
    const request: SendMessageRequest = { ...turn.fields, message: turn.text };
    const sent: RequestOptions = { ...token(), idempotencyKey: turn.id };
    if (state.threadId) request.threadId = state.threadId;
    if (state.startNew) request.newConversation = true;
    const reply: LiveReply = { attempt, controller: new AbortController(), text: '', sources: [], frame: false };
    live = reply;
    const { signal } = reply.controller;
    let started = false;
    try {
      await untilAborted(
        (async () => {
          for await (const event of options.transport.sendMessage(request, { ...sent, signal })) {
            if (signal.aborted) return;
            if (event.type === 'start') {
              started = true;
              dispatch({ ...event, attempt });
            } else if (event.type === 'delta') {
              reply.text += event.text;
              if (!reply.frame) {
                reply.frame = true;
                scheduleFrame(() => live === reply && publishReply(reply));
              }
            } else if (event.type === 'sources') {
              reply.sources = event.sources;
            } else if (event.type === 'products') {
              reply.products = event.products;
            } else if (event.type === 'suggestions') {
              reply.suggestions = event.suggestions;
            } else if (event.type === 'done') {
              const { type, ...done } = event;
              if (live === reply) live = null;
              const { products, suggestions } = reply;
              return dispatch({
                ...done,
                ...(products?.length ? { products } : {}),
                ...(suggestions?.length ? { suggestions } : {}),
                type,
                attempt,
                text: reply.text,
                sources: reply.sources,
                at: now(),
              });
            }
          }
          throw new ConciergeError({ code: 'upstream_unavailable', message: 'The reply ended before it finished.' });
        })(),
        signal,
      );
    } catch (thrown) {
      // The text that arrived since the last frame is kept with the failure too.
      if (live === reply && reply.frame) publishReply(reply);
      const error = ConciergeError.from(thrown);
      const offline = error.code === 'network' && !connectivity.isOnline();
      const made = getState().messages.find((message) => message.id === turn.id)?.attempts ?? 1;
      const delay = offline ? null : retryDelay(error, started, made, options.retry, (options.random ?? Math.random)());
      dispatch({
        type: 'fail',
        attempt,
        error,
        offline,
        now: Date.now(),
        at: now(),
        ...(delay === null ? {} : { retryAt: Date.now() + delay }),
      });
    } finally {
      if (live === reply) live = null;
    }
  };

  /**
   * Tells the proxy to stop producing the reply in flight (it goes on without the browser otherwise).
   * A Stop lost on the way is sent again as a turn would be: after the backoff, or when the device
   * is back online.
   */
  const stopOnServer = () => {
    const { active } = getState();
    const { stopReply } = options.transport;
    if (!active || !stopReply) return;
    const sent = token();
    const send = (made: number): void =>
      void stopReply(active.turnId, sent).catch((thrown) => {
        const delay = retryDelay(ConciergeError.from(thrown), false, made, options.retry, (options.random ?? Math.random)());
        if (delay === null) return;
        if (connectivity.isOnline()) return void setTimeout(() => send(made + 1), delay);
        const unsubscribe = connectivity.subscribe((online) => {
          if (!online) return;
          unsubscribe();
          send(made + 1);
        });
      });
    send(1);
  };

  /** Stops following the reply here; the proxy finishes and keeps it (a page left, not a Stop). */
  const stopHere = () => {
    // The text that arrived since the last frame is kept too.
    if (live) publishReply(live);
    dispatch({ type: 'stop', at: now() });
  };

  return {
    store,
    send(text, fields) {
      const message = text.trim();
      if (!message || message.length > LIMITS.messageMaxLength) {
        const error = `A message must have 1 to ${LIMITS.messageMaxLength} characters.`;
        return Promise.reject(new ConciergeError({ code: 'invalid_request', field: 'message', message: error }));
      }
      const context = typeof options.context === 'function' ? options.context() : options.context;
      const turn: ChatMessage = {
        id: newId(),
        role: 'user',
        text: message,
        createdAt: now(),
        status: 'queued',
        fields: { ...context, ...fields },
        attempts: 0,
      };
      const settled = new Promise<void>((resolve) => {
        const unsubscribe = store.subscribe((state, previous) => {
          // Per-frame progress does not touch `messages`: nothing to look up then.
          if (state.messages === previous.messages) return;
          const status = state.messages.find((item) => item.id === turn.id)?.status;
          if (status === undefined || SETTLED.has(status)) {
            unsubscribe();
            resolve();
          }
        });
      });
      dispatch({ type: 'send', turn });
      return settled;
    },
    retry() {
      dispatch({ type: 'retry' });
    },
    async feedback(messageId, rating, comment) {
      const { threadId } = getState();
      const { sendFeedback } = options.transport;
      if (!threadId || !sendFeedback) throw unsupported('There is no reply to rate here.');
      const text = comment?.trim();
      await sendFeedback({ threadId, messageId, rating, ...(text ? { comment: text } : {}) }, token());
      // The thread may have been reset while the request was out.
      if (getState().threadId === threadId) dispatch({ type: 'feedback', messageId, feedback: { rating, ...(text ? { comment: text } : {}) } });
    },
    async handoff({ email, note }) {
      const { threadId } = getState();
      const { requestHandoff } = options.transport;
      if (!requestHandoff) throw unsupported('Talking to a person is not available here.');
      const context = typeof options.context === 'function' ? options.context() : options.context;
      return requestHandoff(
        {
          email: email.trim(),
          ...(note?.trim() ? { note: note.trim() } : {}),
          ...(threadId ? { threadId } : {}),
          ...(context?.pageUrl ? { pageUrl: context.pageUrl } : {}),
        },
        token(),
      );
    },
    stop() {
      stopOnServer();
      stopHere();
    },
    reset() {
      clearTimeout(timer);
      stopOnServer();
      dispatch({ type: 'reset' });
    },
    connect() {
      const saved = readSnapshot(storage(), storageKey);
      restored = true;
      if (saved) dispatch({ type: 'sync', snapshot: saved, restore: true });
      else writeSnapshot(storage(), storageKey, snapshotOf(getState()));
      const unsubscribe = connectivity.subscribe((online) => dispatch({ type: 'connectivity', online }));
      const sync = storage() ? createTabSync(storageKey, (snapshot) => dispatch({ type: 'sync', snapshot })) : null;
      tabs = sync;
      void run();
      return () => {
        unsubscribe();
        sync?.close();
        if (tabs === sync) tabs = null;
        clearTimeout(timer);
        stopHere();
      };
    },
  };
}

/** Settles with `promise`, or rejects as `aborted` as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    signal.addEventListener('abort', () => reject(new ConciergeError({ code: 'aborted', message: 'The request was stopped.' })), {
      once: true,
    });
    promise.then(resolve, reject);
  });
}

function unsupported(message: string): ConciergeError {
  return new ConciergeError({ code: 'invalid_request', message });
}

function defaultScheduleFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
}

function newId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

function now(): string {
  return new Date().toISOString();
}
