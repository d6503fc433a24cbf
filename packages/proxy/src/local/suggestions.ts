import type { ProductCard, Source } from '@concierge/core';
import type { KnowledgeBase, Product } from './knowledge-base';
import { ATTRIBUTES } from './catalog-answers';

/** What a shopper may ask about a product next, when the product has that field. */
const PRODUCT_QUESTIONS: { field: string; question: (name: string) => string }[] = [
  { field: 'sizes', question: (name) => `What sizes does the ${name} come in?` },
  { field: 'colors', question: (name) => `What colours does the ${name} come in?` },
  { field: 'materials', question: (name) => `What is the ${name} made of?` },
  { field: 'care', question: (name) => `How do I care for the ${name}?` },
  { field: 'dimensions', question: (name) => `What are the dimensions of the ${name}?` },
  { field: 'compatibility', question: (name) => `What does the ${name} work with?` },
];
/** The words that ask about each field, as the shop assistant understands them. */
const ASKED = new Map(ATTRIBUTES.map(({ field, pattern }) => [field, pattern]));

/**
 * Follow-up questions for the local provider's answers, all of which it can answer: about the
 * answer's product (its fields the question did not ask about), or the other sections of the
 * page it cited. At most three; none for an answer it could not give.
 */
export function createSuggestions(knowledgeBase: KnowledgeBase) {
  const products = new Map<string, Product>();
  // Page title → its section headings, in order.
  const sections = new Map<string, string[]>();
  for (const passage of knowledgeBase.passages) {
    if (passage.product) products.set(passage.product.slug, passage.product);
    else if (passage.heading && passage.file !== knowledgeBase.contact?.file) {
      sections.set(passage.title, [...(sections.get(passage.title) ?? []), passage.heading]);
    }
  }

  return (question: string, answer: { sources: Source[]; products?: ProductCard[]; confidence: number }): string[] => {
    if (answer.confidence <= 0) return [];
    const card = answer.products?.[0];
    const product = card && products.get(card.id);
    if (product) {
      return PRODUCT_QUESTIONS.filter(({ field }) => hasValue(product[field]) && !ASKED.get(field)?.test(question))
        .slice(0, 3)
        .map(({ question: ask }) => ask(product.name));
    }
    const cited = answer.sources[0]?.title;
    if (!cited) return [];
    // Sources of pages are titled "Page: Section".
    const [page, section] = cited.split(/: (.*)/s) as [string, string | undefined];
    return (sections.get(page) ?? [])
      .filter((heading) => heading !== section)
      .slice(0, 3)
      .map((heading) => (heading.endsWith('?') ? heading : `Tell me about ${lowerFirst(heading)}`));
  };
}

function hasValue(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value.trim() !== '';
}

function lowerFirst(text: string): string {
  // "Refunds" → "refunds", but an acronym or a name keeps its capital ("UPS drop-off").
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
