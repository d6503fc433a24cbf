import { describe, expect, it } from 'vitest';
import { ConciergeError } from './errors';
import { retryDelay } from './retry-policy';

const failure = (status: number | undefined, code: ConstructorParameters<typeof ConciergeError>[0]['code'], retryAfterSeconds?: number) =>
  new ConciergeError({ code, message: code, status, retryAfterSeconds });

describe('retryDelay', () => {
  it('backs off exponentially with full jitter, capped, for a bounded number of attempts', () => {
    const error = failure(503, 'upstream_unavailable');
    expect([1, 2, 3].map((attempts) => retryDelay(error, false, attempts, {}, 0.999))).toEqual([999, 1998, 3996]);
    expect(retryDelay(error, false, 1, {}, 0)).toBe(0);
    expect(retryDelay(error, false, 3, { maxDelayMs: 2500 }, 0.999)).toBe(2497);
    expect(retryDelay(error, false, 4, {}, 0.5)).toBeNull();
    expect(retryDelay(error, false, 1, { maxAttempts: 1 }, 0.5)).toBeNull();
  });

  it('retries a network error, 429, 502, 503 and 504, only before the reply started', () => {
    expect(retryDelay(failure(undefined, 'network'), false, 1, {}, 0.5)).toBe(500);
    for (const status of [429, 502, 503, 504]) expect(retryDelay(failure(status, 'upstream_unavailable'), false, 1, {}, 0.5)).toBe(500);
    expect(retryDelay(failure(undefined, 'network'), true, 1, {}, 0.5)).toBeNull();
  });

  it('never retries what cannot succeed again', () => {
    for (const status of [400, 401, 402, 403, 404, 413, 415, 500]) {
      expect(retryDelay(failure(status, 'upstream_unavailable'), false, 1, {}, 0.5)).toBeNull();
    }
    expect(retryDelay(failure(undefined, 'billing'), false, 1, {}, 0.5)).toBeNull();
    expect(retryDelay(failure(undefined, 'aborted'), false, 1, {}, 0.5)).toBeNull();
    // A 502 that names a failure that will not pass by itself.
    expect(retryDelay(failure(502, 'unauthorized'), false, 1, {}, 0.5)).toBeNull();
    expect(retryDelay(failure(502, 'upstream_malformed'), false, 1, {}, 0.5)).toBeNull();
  });

  it('never sooner than Retry-After, and not automatically when that is longer than the cap', () => {
    expect(retryDelay(failure(429, 'rate_limited', 7), false, 1, {}, 0.5)).toBe(7000);
    expect(retryDelay(failure(429, 'rate_limited', 120), false, 1, {}, 0.5)).toBeNull();
  });
});
