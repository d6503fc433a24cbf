'use client';
import type { ConciergeError } from '@concierge/core';
import { useThread } from '@concierge/react';
import type { ConciergeStrings } from './strings';

/** The shopper-facing sentence for an error code. */
export function describeError(error: ConciergeError, strings: ConciergeStrings): string {
  if (error.code === 'rate_limited') return strings.rateLimited(error.retryAfterSeconds ?? 0);
  return strings.errors[error.code] ?? strings.errors.default;
}

/** The last error in plain words, with Retry when sending again can help. */
export function ErrorNotice({ strings }: { strings: ConciergeStrings }) {
  const { error, status, retry, messages } = useThread();
  if (status !== 'error' || !error) return null;
  const canRetry = messages.some((message) => message.status === 'failed');
  return (
    <div className="concierge-error" role="alert">
      <span>{describeError(error, strings)}</span>
      {canRetry && (
        <button type="button" className="concierge-button concierge-button-secondary" onClick={() => void retry()}>
          {strings.retry}
        </button>
      )}
    </div>
  );
}
