import type { ConciergeError } from './errors';
import type { ProductCard, Role, SendMessageRequest, SendMessageResponse, Source, ThreadHistory } from './protocol';

/** Request fields a message is sent with, e.g. the page URL, locale or `faqId`. */
export type MessageContext = Omit<SendMessageRequest, 'message' | 'threadId' | 'stream'>;

/**
 * Where a turn (a message the shopper sent) stands: `queued` waits for the runner (or the
 * connection), `sending` awaits the first event, `streaming` receives the reply, `done`,
 * `failed` (Retry sends it again) or `interrupted` (stopped or cut). A reply cut short is an
 * assistant message with status `interrupted`.
 */
export type TurnStatus = 'queued' | 'sending' | 'streaming' | 'done' | 'failed' | 'interrupted';

/** One message of the transcript. The shopper's messages are turns: they carry their request. */
export interface ChatMessage {
  /** For a turn: a client-generated UUID, also its `Idempotency-Key`. */
  id: string;
  role: Role;
  text: string;
  sources?: Source[];
  /** Products of the catalog the reply shows as cards. */
  products?: ProductCard[];
  createdAt: string;
  confidence?: number;
  /** Fields of the vendor's reply the protocol does not model. */
  raw?: unknown;
  /** A turn's status; on a reply only `interrupted`. Absent on history from the server. */
  status?: TurnStatus;
  /** A turn's request fields, captured when the shopper pressed Send. */
  fields?: MessageContext;
  /** Attempts made to send a turn. */
  attempts?: number;
  /** A turn waiting for an automatic retry is not sent before this time (ms since epoch). */
  notBefore?: number;
  /** A reply's turn. */
  turnId?: string;
  /** Questions offered after a reply. */
  suggestions?: string[];
  /** The assistant could not answer: "Talk to a person" is offered. */
  offerHandoff?: boolean;
  /** The shopper's rating of a reply, once the proxy recorded it. */
  feedback?: { rating: 'up' | 'down'; comment?: string };
}

/** The reply being streamed, updated at most once per animation frame. */
export interface StreamingReply {
  id: string;
  text: string;
  sources: Source[];
  turnId: string;
}

/** `submitted`: waiting for the first token; `streaming`: tokens arriving. */
export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'error';

export interface ChatState {
  threadId: string | null;
  /** Proves to the proxy that this browser owns `threadId`; issued with the thread's first reply. */
  threadToken: string | null;
  /** Finished messages and turns. The reply in progress lives in `streaming`. */
  messages: ChatMessage[];
  streaming: StreamingReply | null;
  status: ChatStatus;
  error: ConciergeError | null;
  /** When a rate limit ends, or when the automatic retry runs (ms since epoch). */
  retryAt: number | null;
  /** An automatic retry of the last failure is scheduled for `retryAt`. */
  retrying: boolean;
  /** The thread's history on the server has not been loaded since the transcript was restored. */
  historyStale: boolean;
  online: boolean;
  /** The next turn asks the vendor for a fresh conversation (after `reset`). */
  startNew: boolean;
  /** The attempt in flight. Events of any other attempt are ignored. */
  active: { turnId: string; attempt: number } | null;
}

/** What is persisted and shared between tabs. */
export interface Snapshot {
  threadId: string | null;
  threadToken: string | null;
  messages: ChatMessage[];
  startNew: boolean;
}

export type ChatEvent =
  | { type: 'send'; turn: ChatMessage }
  | { type: 'attempt'; turnId: string; attempt: number }
  | { type: 'start'; attempt: number; threadId: string; messageId: string; threadToken?: string }
  | { type: 'progress'; attempt: number; text: string; sources: Source[] }
  /** The whole reply, as a JSON reply of the proxy carries it. */
  | ({ type: 'done'; attempt: number; at: string } & SendMessageResponse)
  | { type: 'fail'; attempt: number; error: ConciergeError; offline: boolean; retryAt?: number; now: number; at: string }
  | { type: 'stop'; at: string }
  | { type: 'retry' }
  | { type: 'reset' }
  | { type: 'connectivity'; online: boolean }
  /** The stored conversation (`restore`, once at start) or another tab's (`restore` false). */
  | { type: 'sync'; snapshot: Snapshot; restore?: boolean }
  | { type: 'history'; history: ThreadHistory | null }
  | { type: 'feedback'; messageId: string; feedback: NonNullable<ChatMessage['feedback']> };

export const INITIAL_STATE: ChatState = {
  threadId: null,
  threadToken: null,
  messages: [],
  streaming: null,
  status: 'idle',
  error: null,
  retryAt: null,
  retrying: false,
  historyStale: false,
  online: true,
  startNew: false,
  active: null,
};

/** Unsent or unanswered turns, kept when the transcript is replaced by the server's history. */
const PENDING = ['queued', 'sending', 'streaming', 'failed'];

/**
 * The conversation's state machine: every change is an event applied here, with no I/O.
 * Events of an attempt that is no longer the active one change nothing.
 */
export function reduce(state: ChatState, event: ChatEvent): ChatState {
  const { active, messages } = state;
  if ('attempt' in event && event.type !== 'attempt' && active?.attempt !== event.attempt) return state;
  switch (event.type) {
    case 'send':
      return {
        ...state,
        messages: [...messages, event.turn],
        ...(state.retrying || active ? {} : { status: 'idle', error: null, retryAt: null }),
      };
    case 'attempt':
      return {
        ...update(state, event.turnId, { status: 'sending', attempts: (find(state, event.turnId)?.attempts ?? 0) + 1, notBefore: undefined }),
        active: { turnId: event.turnId, attempt: event.attempt },
        status: 'submitted',
        error: null,
        retryAt: null,
        retrying: false,
      };
    case 'start': {
      // A new attempt tells the reply from its start (the proxy joins or replays it): the part an
      // earlier attempt left is replaced now, not before, so it stays on screen until then.
      const turnId = active!.turnId;
      const kept = messages.some((message) => message.turnId === turnId) ? { ...state, messages: messages.filter((message) => message.turnId !== turnId) } : state;
      return {
        ...update(kept, turnId, { status: 'streaming' }),
        threadId: event.threadId,
        threadToken: event.threadToken ?? state.threadToken,
        streaming: { id: event.messageId, text: '', sources: [], turnId: active!.turnId },
        status: 'streaming',
        startNew: false,
        historyStale: false,
      };
    }
    case 'progress':
      return { ...state, streaming: { id: state.streaming?.id ?? '', turnId: active!.turnId, text: event.text, sources: event.sources } };
    case 'done': {
      const { type, attempt, messageId, threadId, threadToken, at, ...reply } = event;
      return {
        ...finish(state, 'done', { ...reply, id: messageId, role: 'assistant', createdAt: at, turnId: active!.turnId }),
        threadId,
        threadToken: threadToken ?? state.threadToken,
        status: 'idle',
        startNew: false,
      };
    }
    case 'fail': {
      const { error, retryAt, offline } = event;
      if (!offline && retryAt === undefined) {
        return {
          ...finish(state, 'failed', partial(state, event.at)),
          status: 'error',
          error,
          retryAt: error.code === 'rate_limited' && error.retryAfterSeconds !== undefined ? event.now + error.retryAfterSeconds * 1000 : null,
        };
      }
      const queued = update(finish(state, 'queued', partial(state, event.at)), active!.turnId, { notBefore: retryAt });
      return offline ? { ...queued, status: 'idle', error: null } : { ...queued, status: 'error', error, retryAt: retryAt!, retrying: true };
    }
    case 'stop':
      if (active) return { ...finish(state, 'interrupted', partial(state, event.at)), status: 'idle' };
      // Stopped while waiting for an automatic retry: the turn stays, with Retry.
      return state.retrying ? { ...update(state, waiting(state), { status: 'failed', notBefore: undefined }), retrying: false, retryAt: null } : state;
    case 'retry': {
      if (state.retrying) {
        return { ...update(state, waiting(state), { notBefore: undefined }), retrying: false, retryAt: null, status: 'idle', error: null };
      }
      const failed = messages.findLast((message) => message.role === 'user' && message.status === 'failed');
      if (!failed || active) return state;
      // The failed turn and any partial reply to it move to the end as a new attempt of the same turn.
      return {
        ...state,
        messages: [
          ...messages.filter((message) => message !== failed && message.turnId !== failed.id),
          { ...failed, status: 'queued', attempts: 0 },
        ],
        status: 'idle',
        error: null,
        retryAt: null,
      };
    }
    case 'reset':
      return { ...INITIAL_STATE, online: state.online, startNew: state.threadId !== null || state.startNew };
    case 'connectivity':
      return { ...state, online: event.online };
    case 'feedback':
      return update(state, event.messageId, { feedback: event.feedback });
    case 'sync': {
      const { snapshot } = event;
      if (event.restore) {
        if (state.threadId !== null && snapshot.threadId !== state.threadId) return state;
        // Turns in flight when the page went away go out again with the same key: the proxy joins
        // the reply still being produced, or gives the finished one, without asking the vendor again.
        const restored = snapshot.messages.map((message) =>
          message.status === 'sending' || message.status === 'streaming' ? { ...message, status: 'queued' as const } : message,
        );
        const known = new Set(restored.map((message) => message.id));
        return {
          ...state,
          threadId: snapshot.threadId,
          threadToken: snapshot.threadToken,
          startNew: snapshot.startNew || state.startNew,
          // Messages sent before the restore (e.g. on mount) stay, after the restored ones.
          messages: [...restored, ...messages.filter((message) => !known.has(message.id))],
          historyStale: snapshot.threadId !== null,
        };
      }
      // Another tab started a new conversation: so does this one, dropping its reply in progress.
      if (snapshot.threadId === null && !snapshot.messages.length) {
        return { ...INITIAL_STATE, online: state.online, startNew: snapshot.startNew };
      }
      const mine = active && find(state, active.turnId);
      return {
        ...state,
        threadId: snapshot.threadId ?? (mine ? state.threadId : null),
        threadToken: snapshot.threadId ? snapshot.threadToken : mine ? state.threadToken : null,
        startNew: snapshot.startNew,
        // This tab's turn in flight keeps its own, fresher status.
        messages: snapshot.messages.map((message) => (mine && message.id === mine.id ? mine : message)),
      };
    }
    case 'history': {
      const { history } = event;
      if (history && history.threadId !== state.threadId) return state;
      // The proxy keeps a turn under its key: a turn the history has was answered there.
      const known = new Set(history?.messages.map((message) => message.id));
      const pending = new Set(
        messages.filter((message) => PENDING.includes(message.status!) && !known.has(message.id)).map((message) => message.id),
      );
      return {
        ...state,
        messages: history
          ? [
              ...history.messages.map(({ interrupted, ...message }): ChatMessage => {
                // The shopper's ratings are kept here, not in the history.
                const feedback = find(state, message.id)?.feedback;
                return { ...message, ...(feedback ? { feedback } : {}), ...(interrupted ? { status: 'interrupted' } : {}) };
              }),
              ...messages.filter((message) => pending.has(message.id) || pending.has(message.turnId!)),
            ]
          : messages,
        historyStale: false,
      };
    }
  }
}

/** What the runner should do next: load the history, send a turn, wait, or nothing. */
export type Job =
  | { type: 'history'; threadId: string; turn?: undefined }
  | { type: 'send'; turn: ChatMessage }
  | { type: 'wait'; until: number; turn?: undefined };

/** The runner's next job: turns go out one at a time, oldest first, and only online. */
export function nextJob(state: ChatState, now: number): Job | null {
  if (!state.online || state.active) return null;
  if (state.historyStale && state.threadId) return { type: 'history', threadId: state.threadId };
  const turn = state.messages.find((message) => message.role === 'user' && message.status === 'queued');
  if (!turn) return null;
  if (turn.notBefore !== undefined && turn.notBefore > now) return { type: 'wait', until: turn.notBefore };
  return { type: 'send', turn };
}

/** The part of the state that is persisted and shared with other tabs. */
export function snapshotOf(state: ChatState): Snapshot {
  return { threadId: state.threadId, threadToken: state.threadToken, messages: state.messages, startNew: state.startNew };
}

function find(state: ChatState, id: string): ChatMessage | undefined {
  return state.messages.find((message) => message.id === id);
}

/** The turn waiting for an automatic retry. */
function waiting(state: ChatState): string | undefined {
  return state.messages.find((message) => message.status === 'queued' && message.notBefore)?.id;
}

function update(state: ChatState, turnId: string | undefined, change: Partial<ChatMessage>): ChatState {
  return { ...state, messages: state.messages.map((message) => (message.id === turnId ? { ...message, ...change } : message)) };
}

/** Ends the active attempt: sets its turn's status and places its reply right after its turn. */
function finish(state: ChatState, status: TurnStatus, reply: ChatMessage | null): ChatState {
  const turnId = state.active!.turnId;
  const { messages } = update(state, turnId, { status });
  if (reply) {
    let index = messages.findIndex((message) => message.id === turnId);
    if (index < 0) index = messages.length - 1;
    while (messages[index + 1]?.turnId === turnId) index++;
    messages.splice(index + 1, 0, reply);
  }
  return { ...state, messages, streaming: null, active: null };
}

/** What arrived of a reply that ended early, kept as an interrupted message. */
function partial(state: ChatState, at: string): ChatMessage | null {
  const { streaming } = state;
  return streaming?.text ? { ...streaming, role: 'assistant', createdAt: at, status: 'interrupted' } : null;
}
