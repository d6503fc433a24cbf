// Product FAQs: the hook (a small shared cache of its own, polling while they generate), and query
// options a server using React Query can prefetch with (types only: nothing of React Query is bundled).
export { productFaqsQueryOptions } from './query-options';
export { useProductFaqs } from './use-product-faqs';
export type { UseProductFaqsOptions, UseProductFaqsResult } from './use-product-faqs';
