// Product FAQs on React Query (a peer dependency needed only here): the hook, and query options a
// server can call to prefetch. Apart from the chat hooks, so a chat alone never bundles React Query.
export { productFaqsQueryOptions } from './query-options';
export { useProductFaqs } from './use-product-faqs';
export type { UseProductFaqsOptions, UseProductFaqsResult } from './use-product-faqs';
