'use client';
import type { ChatMessage, ChatStatus, ConciergeError, MessageContext } from '@concierge/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useConcierge } from './context';
import { threadQueryOptions } from './query-options';

export interface UseThreadResult {
  /** Finished messages; the reply in progress is read with `useStream()`. */
  messages: ChatMessage[];
  status: ChatStatus;
  error: ConciergeError | null;
  threadId: string | null;
  /**
   * Sends a message; rejects with an `invalid_request` ConciergeError for an empty or too long one.
   * `fields` adds request fields for this message only, e.g. `{ faqId }`.
   */
  send: (text: string, fields?: MessageContext) => Promise<void>;
  /** After a `rate_limited` error: when sending is allowed again (ms since epoch). */
  retryAt: number | null;
  /** Sends the last failed message again. */
  retry: () => Promise<void>;
  stop: () => void;
  /** Starts a new conversation. */
  reset: () => void;
  /** True while a reply is awaited or streaming. */
  isBusy: boolean;
}

/**
 * The conversation: its messages, status and the actions that change it. Does not
 * re-render while a reply streams; only `useStream()` does.
 */
export function useThread(): UseThreadResult {
  const { session, transport, queryClient } = useConcierge('useThread');
  const messages = useStore(session.store, (state) => state.messages);
  const status = useStore(session.store, (state) => state.status);
  const error = useStore(session.store, (state) => state.error);
  const threadId = useStore(session.store, (state) => state.threadId);
  const historyStale = useStore(session.store, (state) => state.historyStale);
  const retryAt = useStore(session.store, (state) => state.retryAt);

  // After a reload the persisted thread is refreshed once from the server's history.
  const history = useQuery(
    { ...threadQueryOptions(transport, threadId ?? ''), enabled: threadId !== null && historyStale },
    queryClient,
  );
  useEffect(() => {
    if (history.data) session.hydrate(history.data);
  }, [history.data, session]);

  return {
    messages,
    status,
    error,
    threadId,
    retryAt,
    send: session.send,
    retry: session.retry,
    stop: session.stop,
    reset: session.reset,
    isBusy: status === 'submitted' || status === 'streaming',
  };
}
