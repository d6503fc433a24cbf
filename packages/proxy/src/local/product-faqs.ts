import type { ProductFaq, ProductFaqsResponse, Source } from '@concierge/core';
import type { ProductFaqsQuery } from '../provider';
import { linkTo, type KnowledgeBase, type Passage, type Product } from './knowledge-base';
import type { PassageIndex } from './search';

export interface LocalProductFaqs {
  /** FAQs of the product whose page is `pageUrl`: `generating` at first, `ready` once generated. */
  productFaqs(query: ProductFaqsQuery): Promise<ProductFaqsResponse>;
  /** A generated FAQ, for answering it in the chat. */
  faq(pageUrl: string, faqId: number): ProductFaq | undefined;
}

/**
 * Writes the questions shoppers ask about each product (materials, sizing, care, compatibility,
 * size and weight, returns, shipping, warranty), answered from the product's catalog entry and
 * the store's policy pages, and cited. Generation runs in the background on first request.
 */
export function createLocalProductFaqs(knowledgeBase: KnowledgeBase, index: PassageIndex): LocalProductFaqs {
  // Product passages always have a URL: the catalog's, or /products/{slug}.
  const products = new Map<string, Passage>();
  for (const passage of knowledgeBase.passages) if (passage.product) products.set(passage.url!, passage);
  const generated = new Map<string, ProductFaq[] | Promise<ProductFaq[]>>();

  const productFor = (pageUrl: string) => {
    const path = URL.canParse(pageUrl) ? new URL(pageUrl).pathname.replace(/\/+$/, '') : '';
    return products.get(path);
  };

  return {
    async productFaqs({ pageUrl, count }) {
      const passage = productFor(pageUrl);
      if (!passage?.product) return { status: 'not_available', faqs: [] };
      const entry = generated.get(passage.url!);
      if (Array.isArray(entry)) return { status: 'ready', faqs: entry.slice(0, count) };
      if (!entry) {
        const job = new Promise<ProductFaq[]>((resolve) => {
          setImmediate(() => resolve(generate(passage.product!, passage.url!, knowledgeBase, index)));
        });
        generated.set(passage.url!, job);
        void job.then((faqs) => generated.set(passage.url!, faqs));
      }
      return { status: 'generating', retryAfterSeconds: 1 };
    },
    faq(pageUrl, faqId) {
      const passage = productFor(pageUrl);
      const entry = passage && generated.get(passage.url!);
      return Array.isArray(entry) ? entry.find((faq) => faq.id === faqId) : undefined;
    },
  };
}

function generate(product: Product, url: string, knowledgeBase: KnowledgeBase, index: PassageIndex): ProductFaq[] {
  const name = product.name;
  const own: Source = { title: name, url };
  const faqs: ProductFaq[] = [];
  const add = (question: string, answer: string, sources: Source[]) =>
    faqs.push({ id: faqs.length + 1, question, answer, sources });
  const policy = (query: string) => {
    const match = index.search(query, 3).find((candidate) => candidate.passage.kind === 'page');
    if (!match) return undefined;
    const { passage } = match;
    const source: Source = { title: passage.heading ? `${passage.title}: ${passage.heading}` : passage.title, ...(passage.url ? { url: passage.url } : {}) };
    return { text: firstParagraph(passage.text), source };
  };

  if (product.materials?.length) {
    add(`What is the ${name} made of?`, `The ${name} is made of ${listOf(product.materials)}.`, [own]);
  }
  if (product.sizes?.length || product.fit) {
    const sizing = policy('size guide fit measure');
    const parts = [
      product.sizes?.length ? `It comes in ${listOf(product.sizes)}.` : '',
      product.fit ?? '',
      sizing ? `See our ${linkTo(sizing.source.title, sizing.source.url)} for measurements.` : '',
    ];
    add(`What sizes does the ${name} come in, and how does it fit?`, parts.filter(Boolean).join(' '), sizing ? [own, sizing.source] : [own]);
  }
  if (product.care) add(`How do I care for the ${name}?`, product.care, [own]);
  if (product.compatibility) add(`What can I use the ${name} with?`, product.compatibility, [own]);
  if (product.dimensions || product.weight) {
    const parts = [product.dimensions && `It measures ${product.dimensions}.`, product.weight && `It weighs ${product.weight}.`];
    add(`How big and how heavy is the ${name}?`, parts.filter(Boolean).join(' '), [own]);
  }
  for (const [question, query] of [
    [`Can I return the ${name} if it does not suit me?`, 'return returned within days free'],
    [`How long does delivery take?`, 'shipping delivery times business days'],
    [`Is the ${name} covered by a warranty?`, 'warranty defects repair'],
  ] as const) {
    const found = policy(query);
    if (found) add(question, found.text, [found.source]);
  }
  if (!faqs.length && knowledgeBase.contact) {
    const { title, url } = knowledgeBase.contact;
    add(`How can I ask about the ${name}?`, `Our team can help: see ${linkTo(title, url)}.`, [{ title, ...(url ? { url } : {}) }]);
  }
  return faqs;
}

function firstParagraph(text: string): string {
  return text.split(/\n{2,}/)[0]!.trim();
}

function listOf(items: readonly string[]): string {
  if (items.length < 2) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
