import type { ThreadMessage } from '@concierge/core';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** One event of a reply's log, with the id the store gave it (ids grow with each append). */
export interface LoggedEvent {
  id: string;
  data: string;
}

/** A log's single writer (`ProxyStore.openLog`). */
export interface LogWriter {
  /** Appends an event; returns its id at once. */
  append(data: string): string;
  /** Sends what is pending; rejects when the store could not take some of it. */
  end(): Promise<void>;
}

/** What a rate limiter counts: `points` per `duration` seconds per key. */
export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

/** A rate-limiter-flexible limiter: `consume` resolves with the quota left, or rejects with it when spent. */
export interface Limiter {
  consume(key: string): Promise<RateLimiterRes>;
}

/**
 * The key of a thread's conversation state (`ConversationState`), a value kept beside its
 * transcript with the same TTL: read with the transcript when the thread is continued, written
 * when a reply completes.
 */
export const threadStateKey = (threadId: string) => `thread-state:${threadId}`;

/**
 * Everything the proxy remembers, behind one interface: thread transcripts and conversation
 * state (a value under {@link threadStateKey}), rate-limit counters,
 * the product-FAQ cache and FAQ generation in progress, idempotency records and reply event logs.
 * Every entry expires. Two implementations: {@link createMemoryStore} (the default: one process,
 * bounded) and `createRedisStore` (shared by every instance: `CONCIERGE_REDIS_URL`). One contract
 * test suite runs against both.
 */
export interface ProxyStore {
  /** Appends to a thread's transcript, keeping its last `maxMessages`; the thread expires `ttlSeconds` after its last write. */
  appendMessages(threadId: string, messages: ThreadMessage[], ttlSeconds: number): Promise<void>;
  /** A thread's transcript, oldest first, or `undefined` when unknown or expired. */
  readMessages(threadId: string): Promise<ThreadMessage[] | undefined>;
  /** A JSON value, or `undefined` when absent or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Optional: several values in one round (`undefined` for each absent one), as `get` gives them one by one. */
  getMany?<T>(keys: string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Sets `key` only when it is absent; `true` when this call set it (a lock across instances). */
  claim(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Appends an event to a log; returns its id (at once, or a promise of it). The log expires
   * `ttlSeconds` after its last append.
   */
  appendEvent(log: string, data: string, ttlSeconds: number): Promise<string> | string;
  /** The events of a log after `afterId` (all of them for `null`), in order. */
  readEvents(log: string, afterId: string | null): Promise<LoggedEvent[]>;
  /**
   * Optional: a log that this process alone writes from its start (a reply's producer). Each
   * append's id is given at once, so the producer's readers never wait on the store, and the
   * writes may go out in batches; `end` sends what is pending. An `appendEvent` to the same log
   * from elsewhere (a Stop on another instance) comes after everything the writer sent, and the
   * writer's later appends are then dropped from the shared log. Without it, `appendEvent` is used.
   */
  openLog?(log: string, ttlSeconds: number): LogWriter;
  /** A rate limiter counting in this store; limiters with the same `keyPrefix` share their counts. */
  limiter(options: LimiterOptions): Limiter;
  close(): Promise<void>;
}

export interface MemoryStoreOptions {
  /** Keys kept at most (threads, values and logs together); the oldest go first. @default 20000 */
  maxEntries?: number;
  /** Messages kept per thread. @default 200 */
  maxMessagesPerThread?: number;
  now?: () => number;
}

interface Entry {
  value: unknown;
  expires: number;
}

/**
 * A log in memory: its events' data, or once its writer ended, that data joined by newlines in a
 * buffer (its bytes outside the heap the garbage collector walks and moves).
 */
type Log = string[] | Buffer;

const events = (log: Log | undefined): string[] => (Buffer.isBuffer(log) ? log.toString('utf8').split('\n') : (log ?? []));

/** The default store: in this process's memory, bounded, gone on restart. */
export function createMemoryStore(options: MemoryStoreOptions = {}): ProxyStore {
  const { maxEntries = 20_000, maxMessagesPerThread = 200, now = Date.now } = options;
  const entries = new Map<string, Entry>();
  const limiters = new Map<string, Limiter>();
  // The entries of reply logs again, by log name: a reply appends each event under the same name
  // string, whose hash is kept, where `log:${name}` would be a new string to hash per event.
  const logs = new Map<string, Entry>();

  const read = (key: string): unknown => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now()) {
      entries.delete(key);
      if (key.startsWith('log:')) logs.delete(key.slice(4));
      return undefined;
    }
    return entry.value;
  };
  const write = (key: string, value: unknown, ttlSeconds: number) => {
    entries.delete(key);
    entries.set(key, { value, expires: now() + ttlSeconds * 1000 });
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
      if (oldest.startsWith('log:')) logs.delete(oldest.slice(4));
    }
  };

  /**
   * A log is its events' data, appended in place, the entry kept; an event's id is its position
   * (`0-1`, `0-2`…). A long reply is thousands of events and hundreds stream at once: one string
   * per event is all the garbage collector has to walk while it streams.
   */
  const append = (log: string, data: string, ttlSeconds: number): string => {
    const time = now();
    const entry = logs.get(log);
    if (entry && entry.expires > time) {
      entry.expires = time + ttlSeconds * 1000;
      // An event after the end of a reply's writer (a Stop from another handler on this store).
      if (Buffer.isBuffer(entry.value)) entry.value = events(entry.value);
      return `0-${(entry.value as string[]).push(data)}`;
    }
    const key = `log:${log}`;
    write(key, [data], ttlSeconds);
    logs.set(log, entries.get(key)!);
    return '0-1';
  };

  return {
    async appendMessages(threadId, messages, ttlSeconds) {
      const existing = (read(`thread:${threadId}`) as ThreadMessage[] | undefined) ?? [];
      write(`thread:${threadId}`, [...existing, ...messages].slice(-maxMessagesPerThread), ttlSeconds);
    },
    async readMessages(threadId) {
      const messages = read(`thread:${threadId}`) as ThreadMessage[] | undefined;
      return messages && structuredClone(messages);
    },
    async get<T>(key: string) {
      const value = read(`value:${key}`);
      return value === undefined ? undefined : (structuredClone(value) as T);
    },
    async getMany<T>(keys: string[]) {
      return keys.map((key) => {
        const value = read(`value:${key}`);
        return value === undefined ? undefined : (structuredClone(value) as T);
      });
    },
    async set(key, value, ttlSeconds) {
      write(`value:${key}`, structuredClone(value), ttlSeconds);
    },
    async claim(key, value, ttlSeconds) {
      if (read(`value:${key}`) !== undefined) return false;
      write(`value:${key}`, structuredClone(value), ttlSeconds);
      return true;
    },
    async delete(key) {
      entries.delete(`value:${key}`);
    },
    appendEvent: append,
    openLog(log, ttlSeconds): LogWriter {
      // The reply's events are appended in place; once it ends, its log becomes one buffer (the
      // events' JSON joined by newlines, which JSON text never holds). A store keeps thousands of
      // finished replies for resuming: a few objects each for the garbage collector to walk,
      // not one per event (walking those stalled a busy proxy for up to 200 ms).
      return {
        append: (data) => append(log, data, ttlSeconds),
        async end() {
          const entry = logs.get(log);
          if (entry && Array.isArray(entry.value)) entry.value = Buffer.from(entry.value.join('\n'), 'utf8');
        },
      };
    },
    async readEvents(log, afterId) {
      const data = events(read(`log:${log}`) as Log | undefined);
      // After an id of this log, or after none of its events for an id it never gave.
      const position = afterId === null ? 0 : /^0-\d+$/.test(afterId) ? Number(afterId.slice(2)) : data.length;
      const from = Math.min(position, data.length);
      return data.slice(from).map((text, index) => ({ id: `0-${from + index + 1}`, data: text }));
    },
    limiter(options) {
      let limiter = limiters.get(options.keyPrefix);
      if (!limiter) limiters.set(options.keyPrefix, (limiter = new RateLimiterMemory(options)));
      return limiter;
    },
    async close() {
      entries.clear();
      logs.clear();
    },
  };
}
