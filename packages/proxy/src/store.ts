import type { ThreadMessage } from '@concierge/core';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** One event of a reply's log, with the id the store gave it (ids grow with each append). */
export interface LoggedEvent {
  id: string;
  data: string;
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
 * Everything the proxy remembers, behind one interface: thread transcripts, rate-limit counters,
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
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Sets `key` only when it is absent; `true` when this call set it (a lock across instances). */
  claim(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Appends an event to a log; returns its id. The log expires `ttlSeconds` after its last append. */
  appendEvent(log: string, data: string, ttlSeconds: number): Promise<string>;
  /** The events of a log after `afterId` (all of them for `null`), in order. */
  readEvents(log: string, afterId: string | null): Promise<LoggedEvent[]>;
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

/** The default store: in this process's memory, bounded, gone on restart. */
export function createMemoryStore(options: MemoryStoreOptions = {}): ProxyStore {
  const { maxEntries = 20_000, maxMessagesPerThread = 200, now = Date.now } = options;
  const entries = new Map<string, Entry>();
  const limiters = new Map<string, Limiter>();
  let sequence = 0;

  const read = (key: string): unknown => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now()) {
      entries.delete(key);
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
    }
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
    async appendEvent(log, data, ttlSeconds) {
      // Appended in place, the entry kept: a long reply is thousands of events, and hundreds of
      // replies stream at once.
      const key = `log:${log}`;
      const time = now();
      const id = `${time}-${sequence++}`;
      const entry = entries.get(key);
      if (entry && entry.expires > time) {
        (entry.value as LoggedEvent[]).push({ id, data });
        entry.expires = time + ttlSeconds * 1000;
      } else write(key, [{ id, data }], ttlSeconds);
      return id;
    },
    async readEvents(log, afterId) {
      const events = (read(`log:${log}`) as LoggedEvent[] | undefined) ?? [];
      if (afterId === null) return events.slice();
      const index = events.findIndex((event) => event.id === afterId);
      return index < 0 ? events.filter((event) => compareIds(event.id, afterId) > 0) : events.slice(index + 1);
    },
    limiter(options) {
      let limiter = limiters.get(options.keyPrefix);
      if (!limiter) limiters.set(options.keyPrefix, (limiter = new RateLimiterMemory(options)));
      return limiter;
    },
    async close() {
      entries.clear();
    },
  };
}

/** Orders `{milliseconds}-{sequence}` ids, as Redis Streams order theirs. */
export function compareIds(a: string, b: string): number {
  const [aTime = 0, aSequence = 0] = a.split('-').map(Number);
  const [bTime = 0, bSequence = 0] = b.split('-').map(Number);
  return aTime - bTime || aSequence - bSequence;
}
