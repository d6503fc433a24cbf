import { ConciergeError, type ProductFaqsRequest, type ProductFaqsResponse, type Transport } from '@concierge/core';
import type { UseQueryOptions } from '@tanstack/react-query';

// No 'use client' here: servers import these to prefetch.

/**
 * Query options for a product page's FAQs, so a server can prefetch them.
 *
 * @example
 * const data = await queryClient.fetchQuery(productFaqsQueryOptions(transport, { pageUrl }))
 */
export function productFaqsQueryOptions(transport: Transport, request: ProductFaqsRequest) {
  const locale = request.locale ?? 'en';
  const count = request.count ?? 5;
  return {
    queryKey: ['concierge', 'product-faqs', request.pageUrl, locale, count],
    queryFn: ({ signal }) => transport.getProductFaqs({ pageUrl: request.pageUrl, locale, count }, { signal }),
    staleTime: 5 * 60_000,
    retry: (failures, error) => failures < 2 && ConciergeError.from(error).isRetryable,
  } satisfies UseQueryOptions<ProductFaqsResponse, Error, ProductFaqsResponse, (string | number)[]>;
}

