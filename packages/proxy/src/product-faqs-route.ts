import type { ProductFaqsResponse } from '@concierge/core';
import type { ProductFaqsSource } from './provider';
import { parseProductFaqsQuery } from './schema';
import type { ProxyStore } from './store';

export interface ProductFaqsRouteOptions {
  /** The source to ask, resolved per request; `undefined` answers `not_available`. */
  source: () => Promise<ProductFaqsSource | undefined>;
  cacheSeconds: number;
  /** Where answers are cached and generation is claimed, shared by every instance on Redis. */
  store: ProxyStore;
  /** How long one instance may follow a page's generation before another may try. @default 120 */
  generationSeconds?: number;
  /** Reports a failure of a generation followed in the background. */
  onError?: (error: unknown) => void;
}

type Query = ReturnType<typeof parseProductFaqsQuery>;

/**
 * `GET /product-faqs?page_url=&locale=&count=`. Ready and not-available answers are cached in the
 * store per (page URL, locale, count), so repeat views never reach the vendor, whichever instance
 * they hit. Concurrent requests for one key share one upstream call in a process, and across
 * instances one claims the generation: the others answer `generating` without asking the vendor
 * while it follows the generation to the end and caches the result. Answers follow the vendors'
 * lifecycle: 200 `ready`, 202 `generating` with `Retry-After` and `retry_after_seconds`, 200
 * `not_available`.
 */
export function createProductFaqsRoute(options: ProductFaqsRouteOptions) {
  const { cacheSeconds, store, generationSeconds = 120, onError = () => {} } = options;
  const inFlight = new Map<string, Promise<ProductFaqsResponse>>();

  const ask = async (query: Query): Promise<ProductFaqsResponse> => {
    const source = await options.source();
    // The upstream call is shared, so it must not stop when the first asker goes away.
    return source ? source({ ...query, signal: new AbortController().signal }) : { status: 'not_available', faqs: [] };
  };

  /**
   * Asks again after each `Retry-After` (never sooner: vendors rate-limit this route) until the
   * answer is no longer `generating`, then caches it and releases the claim.
   */
  const follow = async (query: Query, key: string, claim: string, first: number) => {
    const deadline = Date.now() + generationSeconds * 1000;
    for (let wait = first; Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait) * 1000));
      const value = await ask(query);
      if (value.status !== 'generating') {
        await store.set(key, value, cacheSeconds);
        break;
      }
      wait = value.retryAfterSeconds;
    }
    await store.delete(claim);
  };

  const lookup = async (query: Query): Promise<ProductFaqsResponse> => {
    const key = `faqs:${JSON.stringify([query.pageUrl, query.locale, query.count])}`;
    const cached = await store.get<ProductFaqsResponse>(key);
    if (cached) return cached;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = (async (): Promise<ProductFaqsResponse> => {
        const claim = `${key}:generating`;
        if (!(await store.claim(claim, true, generationSeconds))) return { status: 'generating', retryAfterSeconds: 2 };
        let value: ProductFaqsResponse;
        try {
          value = await ask(query);
        } catch (error) {
          await store.delete(claim);
          throw error;
        }
        if (value.status === 'generating') {
          // This instance follows the generation to the end; the others answer from the store.
          follow(query, key, claim, value.retryAfterSeconds).catch((error: unknown) => {
            onError(error);
            void store.delete(claim).catch(() => {});
          });
        } else {
          await store.set(key, value, cacheSeconds);
          await store.delete(claim);
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
