import type { ConciergeError } from './errors';
import type { ErrorCode } from './protocol';

/** How a turn that failed for a passing reason is sent again by itself. */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns automatic retries off. @default 4 */
  maxAttempts?: number;
  /** Upper bound of the first delay, doubled each attempt (full jitter). @default 1000 */
  baseDelayMs?: number;
  /** Upper bound of any delay; a longer `Retry-After` is not waited for automatically. @default 30000 */
  maxDelayMs?: number;
}

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const TRANSIENT_CODES = new Set<ErrorCode>(['network', 'rate_limited', 'upstream_timeout', 'upstream_unavailable']);

/**
 * Milliseconds to wait before the next attempt of a turn, or `null` when it must not be retried
 * automatically. Only transient failures before the reply started are retried: a network error,
 * 429, 502, 503, 504 (400, 401, 402, 403, 404, 413, 415 and 500 never are, nor a 502 that says the
 * vendor rejected the key or sent a reply that could not be read). Capped exponential
 * backoff with full jitter, never sooner than the server's `Retry-After`.
 *
 * @param attempts attempts made so far, the failed one included
 * @param random a number in [0, 1)
 */
export function retryDelay(
  error: ConciergeError,
  started: boolean,
  attempts: number,
  options: RetryOptions = {},
  random = Math.random(),
): number | null {
  const { maxAttempts = 4, baseDelayMs = 1000, maxDelayMs = 30_000 } = options;
  // A 502 can also carry a failure that will not pass by itself (a rejected key, a malformed reply).
  const transient = TRANSIENT_CODES.has(error.code) && (error.status === undefined || TRANSIENT_STATUS.has(error.status));
  if (started || !transient || attempts >= maxAttempts) return null;
  const floor = (error.retryAfterSeconds ?? 0) * 1000;
  if (floor > maxDelayMs) return null;
  return Math.max(floor, Math.floor(random * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1))));
}
