import { createHttpTransport, type ProductFaqsResponse } from '@concierge/core';
import { productFaqsQueryOptions } from '@concierge/react/faq';
import { QueryClient } from '@tanstack/react-query';
import { headers } from 'next/headers';
import { concierge } from './concierge';

/** Talks to the proxy in-process: no network hop while a page renders. */
const transport = createHttpTransport({
  endpoint: 'http://storefront.internal/api/concierge',
  fetch: (input, init) => concierge.GET(new Request(input, init)),
});

/** The public URL of a page of this store, as the shopper's browser sees it. */
export async function pageUrlOf(path: string): Promise<string> {
  const list = await headers();
  const host = list.get('x-forwarded-host') ?? list.get('host') ?? 'localhost';
  const protocol = list.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https');
  return `${protocol}://${host}${path}`;
}

/** The product page's FAQs, fetched on the server so they are in the HTML; `undefined` on failure. */
export async function prefetchProductFaqs(pageUrl: string, count: number): Promise<ProductFaqsResponse | undefined> {
  return new QueryClient().fetchQuery(productFaqsQueryOptions(transport, { pageUrl, count })).catch(() => undefined);
}
