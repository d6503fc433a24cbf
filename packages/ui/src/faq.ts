// Product FAQs: the accordion (React Query polls while they are generated) and FAQPage JSON-LD.
export { FaqAccordion, ProductFaqs, defaultFaqStrings } from './faq-accordion';
export type { FaqAccordionProps, FaqStrings, ProductFaqsProps } from './faq-accordion';
export { faqJsonLd } from './faq-json-ld';
