import type { ProductFaqsResponse } from '@concierge/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createConciergeHandler } from './handler';
import { createLocalProvider } from './local/local-provider';
import type { ProductFaqsQuery } from './provider';

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const SKILLET = 'https://shop.example/products/cast-iron-skillet';

function get(handler: ReturnType<typeof createConciergeHandler>, query: string) {
  return handler(new Request(`https://shop.example/api/concierge/product-faqs?${query}`));
}

describe('GET /product-faqs', () => {
  it.each([
    ['', 'page_url', /required/],
    ['page_url=ftp%3A%2F%2Fshop.example%2Fp', 'page_url', /http or https/],
    ['page_url=not-a-url', 'page_url', /http or https/],
    [`page_url=${encodeURIComponent(SKILLET)}&count=0`, 'count', /1 to 10/],
    [`page_url=${encodeURIComponent(SKILLET)}&count=11`, 'count', /1 to 10/],
    [`page_url=${encodeURIComponent(SKILLET)}&count=two`, 'count', /1 to 10/],
    [`page_url=${encodeURIComponent(SKILLET)}&locale=english%20please`, 'locale', /language tag/],
  ])('answers ?%s with a 400 naming %s', async (query, field, message) => {
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR }), productFaqs: null });
    const response = await get(handler, query);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; field: string; message: string } };
    expect(error).toMatchObject({ code: 'invalid_request', field });
    expect(error.message).toMatch(message);
  });

  it('generates local FAQs in the background: 202 with Retry-After first, then ready and grounded', async () => {
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR }) });
    const first = await get(handler, `page_url=${encodeURIComponent(SKILLET)}`);
    expect(first.status).toBe(202);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(await first.json()).toEqual({ status: 'generating', retry_after_seconds: 1 });
    await new Promise((resolve) => setImmediate(resolve));

    const ready = await get(handler, `page_url=${encodeURIComponent(SKILLET)}&count=10`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; faqs: { id: number; question: string; answer: string; sources: { url: string }[] }[] };
    expect(body.status).toBe('ready');
    const byQuestion = Object.fromEntries(body.faqs.map((faq) => [faq.question, faq]));
    expect(byQuestion['What is the Cast Iron Skillet made of?']?.answer).toBe('The Cast Iron Skillet is made of Cast iron.');
    expect(byQuestion['How do I care for the Cast Iron Skillet?']?.answer).toContain('Not dishwasher safe');
    expect(byQuestion['What can I use the Cast Iron Skillet with?']?.answer).toContain('induction');
    expect(byQuestion['Can I return the Cast Iron Skillet if it does not suit me?']?.answer).toContain('30 days');
    expect(byQuestion['Can I return the Cast Iron Skillet if it does not suit me?']?.sources[0]?.url).toBe('/policies/returns');
    expect(body.faqs.map((faq) => faq.id)).toEqual(body.faqs.map((_, index) => index + 1));

    const three = (await (await get(handler, `page_url=${encodeURIComponent(SKILLET)}&count=3`)).json()) as { faqs: unknown[] };
    expect(three.faqs).toHaveLength(3);
  });

  it('answers not_available for a page that is not a product', async () => {
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR }) });
    const response = await get(handler, `page_url=${encodeURIComponent('https://shop.example/policies/returns')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'not_available', faqs: [] });
  });

  it('answers not_available when configured off', async () => {
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR }), productFaqs: null });
    expect(await (await get(handler, `page_url=${encodeURIComponent(SKILLET)}`)).json()).toEqual({ status: 'not_available', faqs: [] });
  });

  it('caches per page, locale and count for the configured time, and coalesces concurrent requests', async () => {
    const calls: ProductFaqsQuery[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = async (query: ProductFaqsQuery): Promise<ProductFaqsResponse> => {
      calls.push(query);
      await gate;
      return { status: 'ready', faqs: [{ id: 1, question: `Q for ${query.locale}`, answer: 'A' }] };
    };
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR }), productFaqs: source });
    const page = encodeURIComponent(SKILLET);
    const concurrent = Array.from({ length: 5 }, () => get(handler, `page_url=${page}&locale=fr&count=3`));
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    const bodies = await Promise.all(concurrent.map(async (response) => (await response).json()));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ pageUrl: SKILLET, locale: 'fr', count: 3 });
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);

    await get(handler, `page_url=${page}&locale=fr&count=3`);
    expect(calls).toHaveLength(1);
    await get(handler, `page_url=${page}&locale=de&count=3`);
    await get(handler, `page_url=${page}&locale=fr&count=4`);
    expect(calls).toHaveLength(3);
  });

  it('does not cache generating, so the next request asks again', async () => {
    let calls = 0;
    const handler = createConciergeHandler({
      provider: createLocalProvider({ dir: KB_DIR }),
      productFaqs: async () => (++calls === 1 ? { status: 'generating', retryAfterSeconds: 3 } : { status: 'ready', faqs: [] }),
    });
    const first = await get(handler, `page_url=${encodeURIComponent(SKILLET)}`);
    expect([first.status, first.headers.get('retry-after')]).toEqual([202, '3']);
    expect((await get(handler, `page_url=${encodeURIComponent(SKILLET)}`)).status).toBe(200);
    expect(calls).toBe(2);
  });
});

describe('asking a local FAQ in the chat', () => {
  it('answers from the generated set when the faqId and exact question are sent', async () => {
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }), rateLimit: false });
    await get(handler, `page_url=${encodeURIComponent(SKILLET)}`);
    await new Promise((resolve) => setImmediate(resolve));
    const { faqs } = (await (await get(handler, `page_url=${encodeURIComponent(SKILLET)}&count=10`)).json()) as {
      faqs: { id: number; question: string; answer: string }[];
    };
    const care = faqs.find((faq) => faq.question.startsWith('How do I care'))!;
    const reply = await handler(
      new Request('https://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: care.question, faqId: care.id, pageUrl: SKILLET, stream: false }),
      }),
    );
    const body = (await reply.json()) as { text: string; confidence: number };
    expect(body.text).toBe(care.answer);
    expect(body.confidence).toBe(1);
  });
});
