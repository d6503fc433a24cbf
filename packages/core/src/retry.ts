import { ConciergeError } from './errors';

export interface RetryOptions {
  /** Attempts after the first one. @default 2 */
  retries?: number;
  /** Delay before the first retry, doubled each time. @default 500 */
  baseDelayMs?: number;
  /** Upper bound of one delay. @default 8000 */
  maxDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `task` and retries it with exponential backoff and jitter while it fails with a
 * retryable {@link ConciergeError}. A `retryAfterSeconds` from the server wins over the backoff.
 */
export async function withRetry<T>(task: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 2, baseDelayMs = 500, maxDelayMs = 8000, signal } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (thrown) {
      const error = ConciergeError.from(thrown);
      if (signal?.aborted) throw aborted(signal);
      if (attempt >= retries || !error.isRetryable) throw error;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      const delay =
        error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : backoff / 2 + Math.random() * (backoff / 2);
      await sleep(delay, signal);
    }
  }
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(aborted(signal));
      },
      { once: true },
    );
  });
}

function aborted(signal: AbortSignal): ConciergeError {
  return new ConciergeError({ code: 'aborted', message: 'The request was stopped.', cause: signal.reason });
}
