import { RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from './http-error';
import type { ProxyStore } from './store';

export interface RateLimitOptions {
  /** Messages a client may send per window. @default 30 */
  limit?: number;
  /** Window length in seconds. @default 60 */
  windowSeconds?: number;
  /** Messages one thread may take per window, whoever sends them; `false` for none. @default 20 */
  threadLimit?: number | false;
  /** Messages the whole store may send per day, to cap the vendor bill; `false` for none. @default false */
  dailyLimit?: number | false;
}

/**
 * Limits on rate-limiter-flexible, counted in the store (so on Redis every instance shares them):
 * per client, per thread and per day for the whole store. Each
 * answers with the IETF `RateLimit-Policy` and `RateLimit` headers, and a 429 with `Retry-After`.
 */
export function createRateLimiter(store: ProxyStore, options: RateLimitOptions = {}) {
  const { limit = 30, windowSeconds = 60, threadLimit = 20, dailyLimit = false } = options;
  const policy = (name: string, points: number, duration: number) => ({
    name,
    header: `"${name}";q=${points};w=${duration}`,
    limiter: store.limiter({ keyPrefix: `limit:${name}:${points}:${duration}`, points, duration }),
  });
  const client = policy('default', limit, windowSeconds);
  const thread = threadLimit ? policy('thread', threadLimit, windowSeconds) : null;
  const daily = dailyLimit ? policy('daily', dailyLimit, 86_400) : null;
  // A Stop that comes before its turn is remembered in the store: counted apart from messages, so
  // a Stop of a reply in flight (no write) is never refused.
  const early = policy('stop', limit, windowSeconds);

  const take = async ({ name, header, limiter }: ReturnType<typeof policy>, key: string) => {
    let result: RateLimiterRes;
    let over = false;
    try {
      result = await limiter.consume(key);
    } catch (thrown) {
      if (!(thrown instanceof RateLimiterRes)) throw thrown;
      result = thrown;
      over = true;
    }
    const reset = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
    const headers = { 'ratelimit-policy': header, ratelimit: `"${name}";r=${result.remainingPoints};t=${reset}` };
    if (over) {
      const what =
        name === 'daily'
          ? 'The chat has had too many messages today.'
          : name === 'thread'
            ? 'Too many messages in this conversation.'
            : name === 'stop'
              ? 'Too many Stops.'
              : 'Too many messages.';
      throw new HttpError(429, 'rate_limited', `${what} Try again in ${reset} seconds.`, {
        headers: { ...headers, 'retry-after': String(reset) },
        retryAfterSeconds: reset,
      });
    }
    return headers;
  };

  return {
    /** Counts one message of a client; returns the headers to add, or throws a 429. */
    client: (key: string) => take(client, key),
    /** Counts one Stop of a client for a reply not started yet; throws a 429 when they are spent. */
    stopBeforeStart: (key: string) => take(early, key),
    /** Counts one message into a thread and one for the store's day; throws a 429 when either is spent. */
    async message(threadId: string | undefined): Promise<void> {
      if (thread && threadId) await take(thread, threadId);
      if (daily) await take(daily, 'store');
    },
  };
}
