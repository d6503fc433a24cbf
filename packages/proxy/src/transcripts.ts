import type { ThreadMessage } from '@concierge/core';

/**
 * Where the proxy keeps threads for providers that do not keep their own.
 * The default lives in memory; a database can implement the same two methods.
 */
export interface TranscriptStore {
  /** The thread's messages, oldest first, or `undefined` for an unknown thread. */
  get(threadId: string): Promise<ThreadMessage[] | undefined>;
  /** Appends messages to a thread, creating it when new. */
  append(threadId: string, messages: ThreadMessage[]): Promise<void>;
}

export interface MemoryTranscriptStoreOptions {
  /** Oldest threads are forgotten beyond this many. @default 10000 */
  maxThreads?: number;
  /** Oldest messages of a thread are forgotten beyond this many. @default 200 */
  maxMessagesPerThread?: number;
}

/** A bounded in-memory {@link TranscriptStore}; threads are lost when the process restarts. */
export function createMemoryTranscriptStore(options: MemoryTranscriptStoreOptions = {}): TranscriptStore {
  const { maxThreads = 10_000, maxMessagesPerThread = 200 } = options;
  const threads = new Map<string, ThreadMessage[]>();
  return {
    async get(threadId) {
      const messages = threads.get(threadId);
      return messages && [...messages];
    },
    async append(threadId, messages) {
      const existing = threads.get(threadId) ?? [];
      threads.delete(threadId);
      threads.set(threadId, [...existing, ...messages].slice(-maxMessagesPerThread));
      for (const oldest of threads.keys()) {
        if (threads.size <= maxThreads) break;
        threads.delete(oldest);
      }
    },
  };
}
