import { HttpError } from './http-error';

/**
 * Cross-origin rules: same-origin requests always pass; other origins only when listed.
 * An origin that is not listed is refused and never echoed back.
 */
export function createCors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));
  const originOf = (request: Request) => request.headers.get('origin');
  const isAllowed = (request: Request) => {
    const origin = originOf(request)?.toLowerCase();
    if (!origin || allowed.has(origin)) return true;
    // Same origin: what browsers say, or the Host the request was sent to (frameworks may
    // rewrite `request.url`, e.g. to localhost).
    if (request.headers.get('sec-fetch-site') === 'same-origin') return true;
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? new URL(request.url).host;
    return URL.canParse(origin) && new URL(origin).host === host.toLowerCase();
  };
  return {
    /** Throws 403 for a cross-origin request from an origin that is not allowed. */
    check(request: Request): void {
      if (!isAllowed(request)) {
        throw new HttpError(403, 'forbidden', 'This origin may not use the chat.', { headers: { vary: 'Origin' } });
      }
    },
    /** Headers that let an allowed origin read the response. */
    headers(request: Request): Record<string, string> {
      const origin = originOf(request);
      if (!origin || !allowed.has(origin.toLowerCase())) return { vary: 'Origin' };
      return {
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'RateLimit, RateLimit-Policy, Retry-After',
        vary: 'Origin',
      };
    },
    /** The answer to a preflight request. */
    preflight(request: Request, methods: string): Response {
      return new Response(null, {
        status: 204,
        headers: {
          ...this.headers(request),
          allow: methods,
          'access-control-allow-methods': methods,
          'access-control-allow-headers': 'content-type, accept, authorization, idempotency-key, last-event-id, concierge-thread-token',
          'access-control-max-age': '600',
        },
      });
    },
  };
}
