'use client';
import type { ConciergeError } from '@concierge/core';
import { useThread } from '@concierge/react';
import type { ConciergeStrings } from './strings';
import { useCountdown } from './use-countdown';

/** The shopper-facing sentence for an error code; `secondsLeft` counts down a rate limit. */
export function describeError(error: ConciergeError, strings: ConciergeStrings, secondsLeft?: number): string {
  if (error.code === 'rate_limited') return strings.rateLimited(secondsLeft ?? error.retryAfterSeconds ?? 0);
  return strings.errors[error.code] ?? strings.errors.default;
}

/** The last error in plain words, with Retry when sending again can help (after any wait). */
export function ErrorNotice({ strings }: { strings: ConciergeStrings }) {
  const { error, status, retry, hasFailed, retryAt, retrying } = useThread((thread) => ({
    error: thread.error,
    status: thread.status,
    retry: thread.retry,
    hasFailed: thread.messages.some((message) => message.status === 'failed'),
    retryAt: thread.retryAt,
    retrying: thread.retrying,
  }));
  const secondsLeft = useCountdown(retryAt);
  if (status !== 'error' || !error) return null;
  if (retrying) {
    // An automatic retry is waiting: say when, and let the shopper run it now (a rate limit would refuse it).
    return (
      <div className="concierge-error" role="alert" data-code={error.code}>
        <span>{error.code === 'rate_limited' ? `${describeError(error, strings, 0)} ${strings.retrying(secondsLeft)}` : strings.retrying(secondsLeft)}</span>
        {error.code !== 'rate_limited' && (
          <button type="button" className="concierge-button concierge-button-secondary" onClick={retry}>
            {strings.retryNow}
          </button>
        )}
      </div>
    );
  }
  const canRetry = hasFailed && secondsLeft === 0;
  const waited = error.code === 'rate_limited' && retryAt !== null && secondsLeft === 0;
  return (
    <div className="concierge-error" role="alert" data-code={error.code}>
      <span>{waited ? strings.readyAgain : describeError(error, strings, secondsLeft)}</span>
      {canRetry && (
        <button type="button" className="concierge-button concierge-button-secondary" onClick={retry}>
          {strings.retry}
        </button>
      )}
    </div>
  );
}
