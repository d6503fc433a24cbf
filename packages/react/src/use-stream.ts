'use client';
import type { ChatStatus, Source } from '@concierge/core';
import { useConcierge } from './context';
import { useSessionState } from './use-session-state';

export interface UseStreamResult {
  /** Id of the reply in progress, or `null` when none is. */
  messageId: string | null;
  /** Text so far, updated at most once per animation frame. */
  text: string;
  sources: Source[];
  status: ChatStatus;
  /** Stops the reply, keeping the text that arrived. */
  stop: () => void;
}

const NO_SOURCES: Source[] = [];

/** The reply being streamed right now. Only components using this re-render per frame. */
export function useStream(): UseStreamResult {
  const { session } = useConcierge('useStream');
  const { streaming, status } = useSessionState(session.store, (state) => ({ streaming: state.streaming, status: state.status }));
  return {
    messageId: streaming?.id ?? null,
    text: streaming?.text ?? '',
    sources: streaming?.sources ?? NO_SOURCES,
    status,
    stop: session.stop,
  };
}
