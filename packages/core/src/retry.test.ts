import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConciergeError } from './errors';
import { withRetry } from './retry';

afterEach(() => {
  vi.useRealTimers();
});

describe('withRetry', () => {
  it('retries retryable errors with growing delays, then succeeds', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const result = withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new ConciergeError({ code: 'network', message: 'offline' });
        return 'ok';
      },
      { retries: 3, baseDelayMs: 1000 },
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(result).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry an error that cannot succeed again', async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls++;
      throw new ConciergeError({ code: 'invalid_request', message: 'bad' });
    }).catch((thrown: unknown) => thrown);
    expect(calls).toBe(1);
    expect(error).toMatchObject({ code: 'invalid_request' });
  });

  it('waits the retryAfterSeconds the server asked for', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const result = withRetry(
      async () => {
        if (++calls === 1) throw new ConciergeError({ code: 'rate_limited', message: 'wait', retryAfterSeconds: 5 });
        return calls;
      },
      { baseDelayMs: 10 },
    );
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe(2);
  });

  it('gives up after the last retry with the last error', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const result = withRetry(
      async () => {
        calls++;
        throw new ConciergeError({ code: 'upstream_unavailable', message: `down ${calls}` });
      },
      { retries: 2, baseDelayMs: 10 },
    ).catch((thrown: unknown) => thrown);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await result).toMatchObject({ message: 'down 3' });
    expect(calls).toBe(3);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const result = withRetry(
      async () => {
        throw new ConciergeError({ code: 'network', message: 'offline' });
      },
      { baseDelayMs: 60_000, signal: controller.signal },
    ).catch((thrown: unknown) => thrown);
    controller.abort();
    expect(await result).toMatchObject({ code: 'aborted' });
  });
});

describe('ConciergeError', () => {
  it('is recognised across copies of the package by isInstance', () => {
    const foreign = Object.assign(Object.create(null), { [Symbol.for('concierge.error')]: true, code: 'network' });
    expect(ConciergeError.isInstance(foreign)).toBe(true);
    expect(ConciergeError.isInstance(new Error('x'))).toBe(false);
    expect(ConciergeError.isInstance(null)).toBe(false);
  });

  it('marks only transient codes retryable', () => {
    const retryable = (code: ConstructorParameters<typeof ConciergeError>[0]['code']) =>
      new ConciergeError({ code, message: '' }).isRetryable;
    expect(retryable('rate_limited')).toBe(true);
    expect(retryable('upstream_timeout')).toBe(true);
    expect(retryable('billing')).toBe(false);
    expect(retryable('unauthorized')).toBe(false);
    expect(retryable('invalid_request')).toBe(false);
  });
});
