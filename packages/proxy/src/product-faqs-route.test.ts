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

  it('follows a generation to the end once: others answer generating without asking, then ready from the store', async () => {
    let calls = 0;
    const handler = createConciergeHandler({
      provider: createLocalProvider({ dir: KB_DIR }),
      productFaqs: async () => (++calls < 3 ? { status: 'generating', retryAfterSeconds: 1 } : { status: 'ready', faqs: [] }),
    });
    const page = `page_url=${encodeURIComponent(SKILLET)}`;
    const first = await get(handler, page);
    expect([first.status, first.headers.get('retry-after')]).toEqual([202, '1']);
    expect((await get(handler, page)).status).toBe(202);
    expect(calls).toBe(1);
    // The instance that started it asks again after each Retry-After, never sooner, until ready.
    let status = 202;
    for (let attempt = 0; attempt < 40 && status === 202; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await get(handler, page)).status;
    }
    expect(status).toBe(200);
    expect(calls).toBe(3);
    expect((await get(handler, page)).status).toBe(200);
    expect(calls).toBe(3);
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

describe('product FAQs shared by instances on Redis', () => {
  it('a page viewed through three instances and a server render makes one upstream ready call', async () => {
    const { createServer } = await import('node:http');
    const { startRedis } = await import('../test/redis-server');
    const { createRedisStore } = await import('./redis-store');
    const { createAlhenaProvider } = await import('./alhena/alhena-provider');
    const redis = await startRedis();
    let calls = 0;
    let ready = 0;
    const vendor = createServer((request, response) => {
      // Alhena generates on the first ask, then has them.
      const body = calls++ === 0 ? { status: 'generating', retry_after_seconds: 1 } : (ready++, { status: 'ready', faqs: [{ id: 1, question: 'Q?', answer: 'A.' }] });
      response.writeHead(body.status === 'generating' ? 202 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      void request;
    });
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(vendor.address() as import('node:net').AddressInfo).port}`;
    const stores = Array.from({ length: 4 }, () => createRedisStore({ url: redis.url, prefix: 'faqs-test:' }));
    const instances = stores.map((store) =>
      createConciergeHandler({ provider: createAlhenaProvider({ apiKey: 'k', baseUrl }), store, rateLimit: false }),
    );
    try {
      const page = `page_url=${encodeURIComponent('https://shop.example/products/jacket')}`;
      const answers = await Promise.all(instances.map((instance) => get(instance, page)));
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
      let statuses = [0];
      for (let attempt = 0; attempt < 40 && !statuses.every((status) => status === 200); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        statuses = await Promise.all(instances.map(async (instance) => (await get(instance, page)).status));
      }
      expect(statuses).toEqual([200, 200, 200, 200]);
      for (const instance of instances) expect(((await (await get(instance, page)).json()) as { status: string }).status).toBe('ready');
      // One call that started the generation, one that found the FAQs ready: nothing per instance or per view.
      expect(ready).toBe(1);
      expect(calls).toBe(2);
    } finally {
      vendor.close();
      await Promise.all(stores.map((store) => store.close()));
      await redis.stop();
    }
  }, 30_000);
});
