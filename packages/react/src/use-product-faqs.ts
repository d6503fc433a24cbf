'use client';
import { ConciergeError, type ProductFaq, type ProductFaqsRequest, type ProductFaqsResponse } from '@concierge/core';
import { QueryClient, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useConcierge } from './context';
import { productFaqsQueryOptions } from './query-options';

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

// A provider without a `queryClient` prop gets one on first use, so the chat alone never loads React Query.
const clients = new WeakMap<object, QueryClient>();
function clientFor(session: object): QueryClient {
  let client = clients.get(session);
  if (!client) clients.set(session, (client = new QueryClient()));
  return client;
}

/**
 * The FAQs of a product page. While the provider generates them, polls again after the
 * `Retry-After` it was given (never sooner), and gives up with an error after `maxWaitSeconds`.
 */
export function useProductFaqs(options: UseProductFaqsOptions): UseProductFaqsResult {
  const { transport, session, queryClient: given } = useConcierge('useProductFaqs');
  const queryClient = given ?? clientFor(session);
  const maxWaitMs = (options.maxWaitSeconds ?? 120) * 1000;
  const generatingSince = useRef<number | null>(null);
  const [timedOut, setTimedOut] = useState(false);
  const timedOutRef = useRef(false);
  timedOutRef.current = timedOut;

  const query = useQuery(
    {
      ...productFaqsQueryOptions(transport, options),
      enabled: options.enabled ?? true,
      ...(options.initialData ? { initialData: options.initialData } : {}),
      refetchInterval: (current) => {
        const data = current.state.data;
        if (data?.status !== 'generating' || timedOutRef.current) return false;
        return Math.max(1, data.retryAfterSeconds) * 1000;
      },
    },
    queryClient,
  );
  const data = query.data;

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
    const timer = setTimeout(() => setTimedOut(true), left);
    return () => clearTimeout(timer);
  }, [data, maxWaitMs]);

  const refetch = () => {
    generatingSince.current = null;
    setTimedOut(false);
    void query.refetch();
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
  if (query.isError && !data) {
    return { status: 'error', faqs: NO_FAQS, error: ConciergeError.from(query.error), retryAfterSeconds: null, refetch };
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
