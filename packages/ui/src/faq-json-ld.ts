import type { ProductFaq } from '@concierge/core';

/** FAQPage structured data (schema.org) for search engines, from ready FAQs with answers. */
export function faqJsonLd(faqs: ProductFaq[]): Record<string, unknown> | null {
  const answered = faqs.filter((faq) => faq.answer);
  if (!answered.length) return null;
  return {
    '@context': 'https://schema.org',
    '@type': 'FAQPage',
    mainEntity: answered.map((faq) => ({
      '@type': 'Question',
      name: faq.question,
      acceptedAnswer: { '@type': 'Answer', text: faq.answer },
    })),
  };
}
