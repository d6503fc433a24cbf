import { createStore, type StoreApi } from 'zustand/vanilla';
import { ConciergeError } from './errors';
import type { Role, SendMessageRequest, Source, ThreadHistory } from './protocol';
import { LIMITS } from './protocol';
import type { Transport } from './transport';

/** One message in the shopper's transcript. */
export interface ChatMessage {
  id: string;
  role: Role;
  text: string;
  sources?: Source[];
  createdAt: string;
  confidence?: number;
  /** Fields of the vendor's reply the protocol does not model. */
  raw?: unknown;
  /**
   * `failed`: a shopper's message that was not answered; `queued`: written while offline, sent when
   * the connection is back; `interrupted`: a reply stopped or cut.
   */
  status?: 'failed' | 'queued' | 'interrupted';
}

/** The reply being streamed, updated at most once per animation frame. */
export interface StreamingReply {
  id: string;
  text: string;
  sources: Source[];
}

/** `submitted`: waiting for the first token; `streaming`: tokens arriving. */
export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'error';

export interface ChatState {
  threadId: string | null;
  /** Finished messages. The reply in progress lives in `streaming`, so lists need not re-render. */
  messages: ChatMessage[];
  streaming: StreamingReply | null;
  status: ChatStatus;
  error: ConciergeError | null;
  /** When `rate_limited`: the time (ms since epoch) sending is allowed again. */
  retryAt: number | null;
  /** True after `restore()` until the server's history of the thread was loaded with `hydrate()`. */
  historyStale: boolean;
}

/** Where a session keeps its thread id and transcript. `localStorage` fits. */
export interface SessionStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Request fields sent with every message, e.g. the page URL and locale. */
export type MessageContext = Omit<SendMessageRequest, 'message' | 'threadId' | 'stream'>;

export interface ChatSessionOptions {
  transport: Transport;
  /** Persist the transcript here; `null` keeps it in memory. @default localStorage when available */
  storage?: SessionStorage | null;
  /** Storage key of this conversation. @default "concierge:thread" */
  storageKey?: string;
  /** Fields added to every message; a function is read at send time. */
  context?: MessageContext | (() => MessageContext);
  /** Schedules a UI update. @default requestAnimationFrame, or a 16 ms timer without one */
  scheduleFrame?: (callback: () => void) => void;
  /** Whether the device is online, and a way to hear when it is again. @default the browser's */
  connectivity?: Connectivity;
}

/** The device's connection, as `navigator.onLine` and the `online` event report it. */
export interface Connectivity {
  isOnline(): boolean;
  /** Calls `callback` once when the device is back online. */
  onceOnline(callback: () => void): void;
}

const browserConnectivity: Connectivity = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  onceOnline: (callback) => globalThis.addEventListener?.('online', callback, { once: true }),
};

/**
 * A framework-free conversation: a zustand store plus the actions that change it.
 * Hooks subscribe to slices of `store`; nothing here knows about React.
 */
export interface ChatSession {
  store: StoreApi<ChatState>;
  /**
   * Sends a message; resolves when the reply has finished, failed or been stopped.
   * `fields` adds request fields for this message only, e.g. `{ faqId }`.
   */
  send(text: string, fields?: MessageContext): Promise<void>;
  /** Sends the last failed message again. */
  retry(): Promise<void>;
  /** Stops the reply in progress, keeping what arrived. */
  stop(): void;
  /** Forgets the thread and its transcript. */
  reset(): void;
  /** Loads the persisted transcript (call on the client after mount). */
  restore(): void;
  /** Replaces the transcript with the server's history of the current thread. */
  hydrate(history: ThreadHistory): void;
}

const EMPTY: ChatState = {
  threadId: null,
  messages: [],
  streaming: null,
  status: 'idle',
  error: null,
  retryAt: null,
  historyStale: false,
};

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
  const store = createStore<ChatState>(() => EMPTY);
  const { getState, setState } = store;
  let controller: AbortController | null = null;

  const storage = (): SessionStorage | null => {
    if (options.storage !== undefined) return options.storage;
    try {
      return globalThis.localStorage ?? null;
    } catch {
      return null;
    }
  };

  const persist = () => {
    const { threadId, messages } = getState();
    try {
      storage()?.setItem(storageKey, JSON.stringify({ threadId, messages }));
    } catch {
      // Storage full or denied: the conversation still works for this page view.
    }
  };

  // After reset() the next message asks the vendor for a fresh conversation.
  let startNew = false;
  const connectivity = options.connectivity ?? browserConnectivity;
  let waitingForOnline = false;

  // Messages written offline are sent, in order, once the device is back online.
  const sendQueued = async () => {
    waitingForOnline = false;
    for (;;) {
      const queued = getState().messages.find((item) => item.status === 'queued');
      if (!queued || controller || !connectivity.isOnline()) break;
      setState((state) => ({ messages: state.messages.filter((item) => item !== queued) }));
      await send(queued.text);
    }
  };
  const queueUntilOnline = () => {
    if (waitingForOnline) return;
    waitingForOnline = true;
    connectivity.onceOnline(() => void sendQueued());
  };

  const send = async (text: string, fields?: MessageContext) => {
    const message = text.trim();
    if (!message || message.length > LIMITS.messageMaxLength) {
      throw new ConciergeError({
        code: 'invalid_request',
        field: 'message',
        message: message
          ? `A message can be at most ${LIMITS.messageMaxLength} characters.`
          : 'A message cannot be empty.',
      });
    }
    if (controller) return;
    if (!connectivity.isOnline()) {
      const queued: ChatMessage = { id: newId(), role: 'user', text: message, createdAt: now(), status: 'queued' };
      setState((state) => ({ messages: [...state.messages, queued], error: null }));
      persist();
      queueUntilOnline();
      return;
    }
    const current = new AbortController();
    controller = current;
    const userMessage: ChatMessage = { id: newId(), role: 'user', text: message, createdAt: now() };
    setState((state) => ({
      messages: [...state.messages, userMessage],
      status: 'submitted',
      error: null,
      retryAt: null,
    }));

    let reply: StreamingReply | null = null;
    let frameScheduled = false;
    const flush = () => {
      frameScheduled = false;
      if (reply && controller === current) setState({ streaming: { ...reply } });
    };

    try {
      const context = typeof options.context === 'function' ? options.context() : options.context;
      const request: SendMessageRequest = { ...context, ...fields, message };
      const threadId = getState().threadId;
      if (threadId) request.threadId = threadId;
      if (startNew) request.newConversation = true;
      for await (const event of options.transport.sendMessage(request, { signal: current.signal })) {
        switch (event.type) {
          case 'start':
            reply = { id: event.messageId, text: '', sources: [] };
            startNew = false;
            setState({
              threadId: event.threadId,
              streaming: { ...reply },
              status: 'streaming',
              historyStale: false,
            });
            break;
          case 'delta':
            reply ??= { id: newId(), text: '', sources: [] };
            reply.text += event.text;
            if (!frameScheduled) {
              frameScheduled = true;
              scheduleFrame(flush);
            }
            break;
          case 'sources':
            if (reply) reply.sources = event.sources;
            break;
          case 'done': {
            const finished: ChatMessage = {
              id: event.messageId,
              role: 'assistant',
              text: reply?.text ?? '',
              sources: reply?.sources ?? [],
              createdAt: now(),
              confidence: event.confidence,
              ...(event.raw === undefined ? {} : { raw: event.raw }),
            };
            setState((state) => ({
              threadId: event.threadId,
              messages: [...state.messages, finished],
              streaming: null,
              status: 'idle',
            }));
            break;
          }
        }
      }
    } catch (thrown) {
      const error = ConciergeError.from(thrown);
      const partial = reply as StreamingReply | null;
      const kept: ChatMessage[] = partial?.text
        ? [{ ...partial, role: 'assistant', createdAt: now(), status: 'interrupted' }]
        : [];
      if (error.code === 'aborted') {
        setState((state) => ({ messages: [...state.messages, ...kept], streaming: null, status: 'idle' }));
      } else if (error.code === 'network' && !connectivity.isOnline()) {
        // The connection dropped: the message waits and goes out when it is back.
        setState((state) => ({
          messages: [
            ...state.messages.map((item) => (item.id === userMessage.id ? { ...item, status: 'queued' as const } : item)),
            ...kept,
          ],
          streaming: null,
          status: 'idle',
        }));
        queueUntilOnline();
      } else {
        setState((state) => ({
          messages: [
            ...state.messages.map((item) =>
              item.id === userMessage.id ? { ...item, status: 'failed' as const } : item,
            ),
            ...kept,
          ],
          streaming: null,
          status: 'error',
          error,
          retryAt:
            error.code === 'rate_limited' && error.retryAfterSeconds !== undefined
              ? Date.now() + error.retryAfterSeconds * 1000
              : null,
        }));
      }
    } finally {
      if (controller === current) controller = null;
      persist();
    }
  };

  return {
    store,
    send,
    async retry() {
      const { messages } = getState();
      const index = messages.findLastIndex((item) => item.status === 'failed');
      const failed = messages[index];
      if (!failed || controller) return;
      // The failed message and any partial reply to it are replaced by the new attempt.
      const partial = messages[index + 1]?.status === 'interrupted' ? 1 : 0;
      setState({ messages: messages.toSpliced(index, 1 + partial) });
      await send(failed.text);
    },
    stop() {
      controller?.abort();
      controller = null;
    },
    reset() {
      controller?.abort();
      controller = null;
      startNew = getState().threadId !== null || startNew;
      setState(EMPTY);
      try {
        storage()?.removeItem(storageKey);
      } catch {
        // Nothing persisted to forget.
      }
    },
    restore() {
      let saved: Partial<ChatState> | null = null;
      try {
        saved = JSON.parse(storage()?.getItem(storageKey) ?? 'null') as Partial<ChatState> | null;
      } catch {
        // A corrupt entry is ignored; the next message replaces it.
      }
      if (!saved || !Array.isArray(saved.messages)) return;
      const state = getState();
      if (state.threadId !== null && saved.threadId !== state.threadId) return;
      // Messages sent before the restore (e.g. on mount) stay, after the restored ones.
      const known = new Set(saved.messages.map((item) => item.id));
      const threadId = saved.threadId ?? null;
      setState({
        threadId,
        messages: [...saved.messages, ...state.messages.filter((item) => !known.has(item.id))],
        historyStale: threadId !== null && !controller,
      });
      if (getState().messages.some((item) => item.status === 'queued')) {
        if (connectivity.isOnline()) void sendQueued();
        else queueUntilOnline();
      }
    },
    hydrate(history) {
      const state = getState();
      if (controller || !state.historyStale || history.threadId !== state.threadId) return;
      const failed = state.messages.filter((item) => item.status === 'failed');
      setState({
        messages: [
          ...history.messages.map(({ interrupted, ...item }): ChatMessage =>
            interrupted ? { ...item, status: 'interrupted' } : item,
          ),
          ...failed,
        ],
        historyStale: false,
      });
      persist();
    },
  };
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
