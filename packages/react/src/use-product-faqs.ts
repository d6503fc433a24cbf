'use client';
import { ConciergeError, type ProductFaq, type ProductFaqsRequest, type ProductFaqsResponse, type Transport } from '@concierge/core';
import { useEffect, useReducer, useRef, useState } from 'react';
import { useConcierge } from './context';

export interface UseProductFaqsOptions extends ProductFaqsRequest {
  /** Stop polling a page whose FAQs are still generating after this many seconds. @default 120 */
  maxWaitSeconds?: number;
  /** Data already fetched, e.g. on the server, shown without a request. */
  initialData?: ProductFaqsResponse;
  /** @default true */
  enabled?: boolean;
}

export interface UseProductFaqsResult {
  /** `loading` before the first answer; `error` also when generating took longer than allowed. */
  status: 'loading' | 'ready' | 'generating' | 'not_available' | 'error';
  faqs: ProductFaq[];
  error: ConciergeError | null;
  /** Seconds until the next poll while generating. */
  retryAfterSeconds: number | null;
  refetch: () => void;
}

const NO_FAQS: ProductFaq[] = [];
/** Answers are reused this long by every component asking for the same page. */
const FRESH_MS = 5 * 60_000;
/** A failure that may pass is tried again twice, after 1 s and 2 s. */
const RETRY_DELAYS_MS = [1000, 2000];

/** What is known of one page's FAQs, shared by the components that show them. */
interface Entry {
  data?: ProductFaqsResponse;
  error?: unknown;
  at: number;
  loading?: Promise<void>;
  listeners: Set<() => void>;
}

// Per transport, per page, language and count: one request at a time, answers kept a while. (Not
// React Query: the widget stays 10 kB lighter; a server can still prefetch with it through
// `productFaqsQueryOptions` and hand the answer over as `initialData`.)
const caches = new WeakMap<Transport, Map<string, Entry>>();

function entryFor(transport: Transport, key: string): Entry {
  let cache = caches.get(transport);
  if (!cache) caches.set(transport, (cache = new Map()));
  let entry = cache.get(key);
  if (!entry) cache.set(key, (entry = { at: 0, listeners: new Set() }));
  return entry;
}

/** Asks for the FAQs (unless a request for them is on its way), retrying what may pass. */
function load(entry: Entry, ask: () => Promise<ProductFaqsResponse>): Promise<void> {
  entry.loading ??= (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        entry.data = await ask();
        entry.error = undefined;
        break;
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length || !ConciergeError.from(error).isRetryable) {
          entry.error = error;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
    entry.at = Date.now();
    entry.loading = undefined;
    for (const listener of entry.listeners) listener();
  })();
  return entry.loading;
}

/**
 * The FAQs of a product page. While the provider generates them, polls again after the
 * `Retry-After` it was given (never sooner), and gives up with an error after `maxWaitSeconds`.
 */
export function useProductFaqs(options: UseProductFaqsOptions): UseProductFaqsResult {
  const { transport } = useConcierge('useProductFaqs');
  const locale = options.locale ?? 'en';
  const count = options.count ?? 5;
  const entry = entryFor(transport, JSON.stringify([options.pageUrl, locale, count]));
  if (options.initialData && !entry.data && !entry.error) {
    entry.data = options.initialData;
    entry.at = Date.now();
  }
  const [, rerender] = useReducer((version: number) => version + 1, 0);
  const enabled = options.enabled ?? true;
  const maxWaitMs = (options.maxWaitSeconds ?? 120) * 1000;
  const generatingSince = useRef<number | null>(null);
  const [timedOut, setTimedOut] = useState(false);
  const ask = () => transport.getProductFaqs({ pageUrl: options.pageUrl, locale, count });
  const data = entry.data;
  // Changes with every answer or failure, so a failed poll is followed by another.
  const answeredAt = entry.at;

  // Shown again whenever the shared answer changes; asked for when there is none, or it is old.
  useEffect(() => {
    entry.listeners.add(rerender);
    if (enabled && !entry.loading && (entry.data === undefined || Date.now() - entry.at >= FRESH_MS)) void load(entry, ask);
    return () => void entry.listeners.delete(rerender);
    // The entry names the page, the language and the count.
  }, [entry, enabled]);

  // While generating: poll after Retry-After, until ready or past the bound.
  useEffect(() => {
    if (data?.status !== 'generating') {
      generatingSince.current = null;
      setTimedOut(false);
      return;
    }
    generatingSince.current ??= Date.now();
    const left = generatingSince.current + maxWaitMs - Date.now();
    if (left <= 0) {
      setTimedOut(true);
      return;
    }
    const bound = setTimeout(() => setTimedOut(true), left);
    const poll = enabled && !timedOut ? setTimeout(() => void load(entry, ask), Math.max(1, data.retryAfterSeconds) * 1000) : undefined;
    return () => {
      clearTimeout(bound);
      clearTimeout(poll);
    };
  }, [data, answeredAt, maxWaitMs, timedOut, enabled]);

  const refetch = () => {
    generatingSince.current = null;
    setTimedOut(false);
    void load(entry, ask);
  };

  if (timedOut) {
    return {
      status: 'error',
      faqs: NO_FAQS,
      error: new ConciergeError({ code: 'upstream_timeout', message: 'The questions for this product are taking too long to prepare.' }),
      retryAfterSeconds: null,
      refetch,
    };
  }
  if (entry.error !== undefined && !data) {
    return { status: 'error', faqs: NO_FAQS, error: ConciergeError.from(entry.error), retryAfterSeconds: null, refetch };
  }
  if (!data) return { status: 'loading', faqs: NO_FAQS, error: null, retryAfterSeconds: null, refetch };
  return {
    status: data.status,
    faqs: data.status === 'ready' ? data.faqs : NO_FAQS,
    error: null,
    retryAfterSeconds: data.status === 'generating' ? data.retryAfterSeconds : null,
    refetch,
  };
}
