'use client';
import type { ChatMessage, ChatSession, ChatState, ChatStatus, ConciergeError, MessageContext } from '@concierge/core';
import { useConcierge } from './context';
import { useSessionState } from './use-session-state';

export interface UseThreadResult {
  /** Finished messages and the shopper's turns; the reply in progress is read with `useStream()`. */
  messages: ChatMessage[];
  status: ChatStatus;
  error: ConciergeError | null;
  threadId: string | null;
  /**
   * Adds a message to the outbox; rejects with an `invalid_request` ConciergeError for an empty
   * or too long one. `fields` adds request fields for this message only, e.g. `{ faqId }`.
   */
  send: (text: string, fields?: MessageContext) => Promise<void>;
  /** When a rate limit ends, or when the automatic retry runs (ms since epoch). */
  retryAt: number | null;
  /** An automatic retry is scheduled for `retryAt`; `retry()` runs it now. */
  retrying: boolean;
  /** Whether the device is online; turns wait while it is not. */
  online: boolean;
  /** Sends the last failed message again, or runs a scheduled automatic retry now. */
  retry: () => void;
  stop: () => void;
  /** Starts a new conversation. */
  reset: () => void;
  /** True while a reply is awaited or streaming. */
  isBusy: boolean;
  /** Rates a finished reply; resolves once the proxy recorded it (the message then carries it). */
  feedback: ChatSession['feedback'];
  /** Asks for a person; resolves with when the store will write back. */
  handoff: ChatSession['handoff'];
}

function view(state: ChatState, session: ChatSession): UseThreadResult {
  return {
    messages: state.messages,
    status: state.status,
    error: state.error,
    threadId: state.threadId,
    retryAt: state.retryAt,
    retrying: state.retrying,
    online: state.online,
    send: session.send,
    retry: session.retry,
    stop: session.stop,
    reset: session.reset,
    isBusy: state.status === 'submitted' || state.status === 'streaming',
    feedback: session.feedback,
    handoff: session.handoff,
  };
}

/**
 * The conversation: its messages, status and the actions that change it. Never re-renders
 * while a reply streams (only `useStream()` does). Pass `select` to re-render only when the
 * fields it returns change (compared shallowly).
 *
 * @example
 * const { send, isBusy } = useThread((thread) => ({ send: thread.send, isBusy: thread.isBusy }))
 */
export function useThread(): UseThreadResult;
export function useThread<T>(select: (thread: UseThreadResult) => T): T;
export function useThread<T>(select?: (thread: UseThreadResult) => T): T | UseThreadResult {
  const { session } = useConcierge('useThread');
  return useSessionState(session.store, (state: ChatState) => (select ? select(view(state, session)) : view(state, session)));
}
