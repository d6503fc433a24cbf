import { HttpError } from './http-error';

export interface RateLimitOptions {
  /** Requests a client may make per window. @default 30 */
  limit?: number;
  /** Window length in seconds. @default 60 */
  windowSeconds?: number;
  /** Clients tracked at most; the oldest windows are dropped beyond. @default 10000 */
  maxClients?: number;
  now?: () => number;
}

/**
 * A fixed-window limit per client that reports itself with the IETF `RateLimit-Policy` and
 * `RateLimit` headers, and answers 429 with `Retry-After` when a client is over it.
 */
export function createRateLimiter(options: RateLimitOptions = {}) {
  const { limit = 30, windowSeconds = 60, maxClients = 10_000, now = Date.now } = options;
  const windows = new Map<string, { start: number; count: number }>();
  const policy = `"default";q=${limit};w=${windowSeconds}`;

  return {
    /** Counts one request of `client`; returns the headers to add, or throws a 429. */
    take(client: string): Record<string, string> {
      const time = now();
      let window = windows.get(client);
      if (!window || time - window.start >= windowSeconds * 1000) {
        windows.delete(client);
        window = { start: time, count: 0 };
        windows.set(client, window);
        for (const oldest of windows.keys()) {
          if (windows.size <= maxClients) break;
          windows.delete(oldest);
        }
      }
      window.count++;
      const reset = Math.max(1, Math.ceil((window.start + windowSeconds * 1000 - time) / 1000));
      const remaining = Math.max(0, limit - window.count);
      const headers = { 'ratelimit-policy': policy, ratelimit: `"default";r=${remaining};t=${reset}` };
      if (window.count > limit) {
        throw new HttpError(429, 'rate_limited', `Too many messages. Try again in ${reset} seconds.`, {
          headers: { ...headers, 'retry-after': String(reset) },
          retryAfterSeconds: reset,
        });
      }
      return headers;
    },
  };
}

/** The client a request comes from: the first `X-Forwarded-For` address, as set by the adapter. */
export function clientAddress(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || request.headers.get('x-real-ip') || 'unknown';
}
