import type { ProductFaqsResponse } from '@concierge/core';
import type { ProductFaqsSource } from './provider';
import { parseProductFaqsQuery } from './schema';

export interface ProductFaqsRouteOptions {
  /** The source to ask, resolved per request; `undefined` answers `not_available`. */
  source: () => Promise<ProductFaqsSource | undefined>;
  cacheSeconds: number;
  /** Entries kept at most; the oldest are dropped beyond. @default 5000 */
  maxEntries?: number;
  now?: () => number;
}

/**
 * `GET /product-faqs?page_url=&locale=&count=`. Ready and not-available answers are cached per
 * (page URL, locale, count), so repeat views never reach the vendor; concurrent requests for one
 * key share one upstream call. Answers follow the vendors' lifecycle: 200 `ready`,
 * 202 `generating` with `Retry-After` and `retry_after_seconds`, 200 `not_available`.
 */
export function createProductFaqsRoute(options: ProductFaqsRouteOptions) {
  const { cacheSeconds, maxEntries = 5000, now = Date.now } = options;
  const cache = new Map<string, { expires: number; value: ProductFaqsResponse }>();
  const inFlight = new Map<string, Promise<ProductFaqsResponse>>();

  const lookup = async (query: ReturnType<typeof parseProductFaqsQuery>): Promise<ProductFaqsResponse> => {
    const key = JSON.stringify([query.pageUrl, query.locale, query.count]);
    const cached = cache.get(key);
    if (cached && cached.expires > now()) return cached.value;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = (async () => {
        const source = await options.source();
        // The upstream call is shared, so it must not stop when the first asker goes away.
        const value = source
          ? await source({ ...query, signal: new AbortController().signal })
          : ({ status: 'not_available', faqs: [] } satisfies ProductFaqsResponse as ProductFaqsResponse);
        if (value.status !== 'generating') {
          cache.delete(key);
          cache.set(key, { expires: now() + cacheSeconds * 1000, value });
          for (const oldest of cache.keys()) {
            if (cache.size <= maxEntries) break;
            cache.delete(oldest);
          }
        }
        return value;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  return async (request: Request): Promise<Response> => {
    const value = await lookup(parseProductFaqsQuery(new URL(request.url).searchParams));
    if (value.status === 'generating') {
      const seconds = Math.max(1, Math.ceil(value.retryAfterSeconds));
      return Response.json(
        { status: 'generating', retry_after_seconds: seconds },
        { status: 202, headers: { 'retry-after': String(seconds) } },
      );
    }
    return Response.json(value);
  };
}
