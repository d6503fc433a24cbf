import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConciergeHandler } from '../handler';
import { createGleenProvider } from '../gleen/gleen-provider';
import { createThreadTokens } from '../thread-tokens';
import { createAlhenaProvider } from './alhena-provider';

const SECRET = 'a-secret-shared-by-every-instance-0123456789';
const tokens = createThreadTokens(SECRET);

/** A fake Alhena speaking exactly the shapes of CONTRACTS.md, on loopback. */
let respond: (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void;
const received: { path: string; authorization?: string; body: Record<string, unknown> }[] = [];
const logs: string[] = [];
let vendorUrl = '';
let close = () => {};

beforeAll(async () => {
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      received.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      respond(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vendorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());
beforeEach(() => {
  received.length = 0;
  logs.length = 0;
});

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function proxy(options: { timeoutMs?: number } = {}) {
  const provider = createAlhenaProvider({
    apiKey: 'sk_alhena_secret',
    baseUrl: vendorUrl,
    log: (line) => logs.push(line),
    ...options,
  });
  return createConciergeHandler({ provider, rateLimit: false, onError: () => {}, secret: SECRET });
}

function send(handler: ReturnType<typeof proxy>, body: Record<string, unknown>, threadToken?: string) {
  return handler(
    new Request('http://shop.example/api/concierge/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(threadToken ? { 'concierge-thread-token': threadToken } : {}) },
      body: JSON.stringify({ stream: false, ...body }),
    }),
  );
}

describe('Alhena', () => {
  it('sends every documented field with the secret key and maps the reply', async () => {
    respond = (_request, _body, response) =>
      json(response, 200, {
        thread_id: '802300',
        response: 'Returns are free within 30 days.',
        sources: [{ title: 'Returns', url: 'https://shop.example/returns' }],
        model_version: 'v7',
      });
    const reply = await send(proxy(), {
      message: 'Can I return this?',
      threadId: '802299',
      faqId: 123,
      pageUrl: 'https://shop.example/p/1',
      locale: 'fr',
      metadata: { tier: 'gold', _customer_id: 'c-77' },
    }, await tokens.issue('802299'));
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as Record<string, unknown>;
    expect(received[0]).toEqual({
      path: '/api/v1/send_message',
      authorization: 'Bearer sk_alhena_secret',
      body: {
        query_text: 'Can I return this?',
        thread_id: '802299',
        faq_id: 123,
        page_url: 'https://shop.example/p/1',
        locale: 'fr',
        user_metadata: { tier: 'gold', _customer_id: 'c-77' },
      },
    });
    expect(body).toMatchObject({
      threadId: '802300',
      text: 'Returns are free within 30 days.',
      sources: [{ title: 'Returns', url: 'https://shop.example/returns' }],
      raw: { model_version: 'v7' },
    });
    expect(JSON.stringify(body)).not.toContain('c-77');
  });

  it('accepts the tolerated alternates: numeric thread_id, answer, links', async () => {
    respond = (_request, _body, response) =>
      json(response, 200, { thread_id: 802301, answer: 'Yes.', links: [{ title: 'FAQ', url: 'https://x.example/faq' }], user_metadata: { _secret: 1 } });
    const body = (await (await send(proxy(), { message: 'Hi' })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ threadId: '802301', text: 'Yes.', sources: [{ title: 'FAQ', url: 'https://x.example/faq' }] });
    expect(body.raw).toBeUndefined();
    expect(received[0]!.body).toEqual({ query_text: 'Hi' });
  });

  it('streams the non-streaming reply over the same SSE protocol', async () => {
    respond = (_request, _body, response) => json(response, 200, { thread_id: 't', response: 'Hello!', sources: [] });
    const reply = await proxy()(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'Hi' }),
      }),
    );
    const text = await reply.text();
    expect(text.match(/^event: (\w+)$/gm)).toEqual(['event: start', 'event: delta', 'event: sources', 'event: done']);
    expect(text).toContain('"threadId":"t"');
  });

  it.each([
    [401, { detail: 'Invalid token' }, {}, 502, 'unauthorized'],
    [403, { error: 'Forbidden' }, {}, 502, 'unauthorized'],
    [400, { detail: 'query_text must equal the FAQ question' }, {}, 400, 'invalid_request'],
    [429, { detail: 'Slow down' }, { 'retry-after': '17' }, 429, 'rate_limited'],
    [500, { detail: 'Traceback: secret internals' }, {}, 502, 'upstream_unavailable'],
    [503, 'Service Unavailable', {}, 502, 'upstream_unavailable'],
  ] as const)('maps a %i to %s without passing the vendor body on', async (status, vendorBody, headers, expected, code) => {
    respond = (_request, _body, response) => json(response, status, vendorBody, headers);
    const reply = await send(proxy(), { message: 'Hi' });
    expect(reply.status).toBe(expected);
    const text = await reply.text();
    expect(JSON.parse(text).error.code).toBe(code);
    expect(text).not.toMatch(/Invalid token|Forbidden|Traceback|FAQ question|Slow down|sk_alhena/);
    if (code === 'rate_limited') {
      expect(reply.headers.get('retry-after')).toBe('17');
      expect(JSON.parse(text).error.retryAfterSeconds).toBe(17);
    }
    if (code === 'unauthorized') expect(logs.join('\n')).toContain('check ALHENA_API_KEY');
    // Logs name the problem, never the key or what the shopper wrote.
    expect(logs.join('\n')).not.toMatch(/sk_alhena_secret|Hi/);
  });

  it('reports a malformed reply and a timeout with their own codes', async () => {
    respond = (_request, _body, response) => json(response, 200, { thread_id: 't', something: 'else' });
    expect(((await (await send(proxy(), { message: 'Hi' })).json()) as { error: { code: string } }).error.code).toBe('upstream_malformed');

    respond = (_request, _body, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
    expect(((await (await send(proxy(), { message: 'Hi' })).json()) as { error: { code: string } }).error.code).toBe('upstream_malformed');

    respond = () => {};
    const reply = await send(proxy({ timeoutMs: 150 }), { message: 'Hi' });
    expect(reply.status).toBe(504);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
  });

  it('keeps transcripts itself, so history works', async () => {
    respond = (_request, _body, response) => json(response, 200, { thread_id: 'h1', response: 'Hi there.' });
    const handler = proxy();
    const { threadToken } = (await (await send(handler, { message: 'Hello' })).json()) as { threadToken: string };
    const owner = { headers: { 'concierge-thread-token': threadToken } };
    const history = (await (await handler(new Request('http://shop.example/api/concierge/threads/h1', owner))).json()) as {
      messages: { role: string; text: string }[];
    };
    expect(history.messages.map((message) => [message.role, message.text])).toEqual([
      ['user', 'Hello'],
      ['assistant', 'Hi there.'],
    ]);
  });
});

describe('Alhena thread ids belong to their browser', () => {
  it('a numeric thread id cannot be continued or read without its token, and Alhena is never asked', async () => {
    respond = (_request, _body, response) => json(response, 200, { thread_id: 802400, response: 'Your order ships today.' });
    const handler = proxy();
    const mine = (await (await send(handler, { message: 'Where is order 1234?' })).json()) as { threadId: string; threadToken: string };
    expect(mine.threadId).toBe('802400');
    received.length = 0;
    for (const threadId of ['802400', '802399', '802401']) {
      expect((await send(handler, { message: 'And the address?', threadId })).status).toBe(404);
      expect((await handler(new Request(`http://shop.example/api/concierge/threads/${threadId}`))).status).toBe(404);
    }
    expect(received).toEqual([]);
    const history = await handler(
      new Request('http://shop.example/api/concierge/threads/802400', { headers: { 'concierge-thread-token': mine.threadToken } }),
    );
    expect(((await history.json()) as { messages: { text: string }[] }).messages.map((message) => message.text)).toEqual([
      'Where is order 1234?',
      'Your order ships today.',
    ]);
  });
});

describe('Gleen', () => {
  it('is the same API, with its own key variable named in logs', async () => {
    respond = (_request, _body, response) => json(response, 401, { detail: 'bad key' });
    const provider = createGleenProvider({ apiKey: 'sk_gleen', baseUrl: vendorUrl, log: (line) => logs.push(line) });
    const reply = await createConciergeHandler({ provider, rateLimit: false })(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Hi', stream: false }),
      }),
    );
    expect(reply.status).toBe(502);
    expect(received[0]).toMatchObject({ path: '/api/v1/send_message', authorization: 'Bearer sk_gleen' });
    expect(logs.join('\n')).toContain('check GLEEN_API_KEY');
  });
});

describe('Alhena product FAQs', () => {
  const page = 'https://shop.example/products/skillet';
  const faqsOf = (handler: ReturnType<typeof proxy>, query = '') =>
    handler(new Request(`http://shop.example/api/concierge/product-faqs?page_url=${encodeURIComponent(page)}${query}`));

  it('forwards page_url, locale and count, and fills a missing answer from send_message with faq_id', async () => {
    respond = (request, body, response) => {
      if (request.url?.startsWith('/api/v1/product-faqs')) {
        json(response, 200, {
          status: 'ready',
          faqs: [
            { id: 123, question: 'Is it dishwasher safe?', answer: 'No, hand wash it.' },
            { id: '124', question: 'Does it work on induction?' },
          ],
        });
      } else json(response, 200, { thread_id: 't-faq', response: `Cached answer to ${String(body.query_text)}`, sources: [] });
    };
    const reply = await faqsOf(proxy(), '&locale=de&count=2');
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({
      status: 'ready',
      faqs: [
        { id: 123, question: 'Is it dishwasher safe?', answer: 'No, hand wash it.' },
        { id: 124, question: 'Does it work on induction?', answer: 'Cached answer to Does it work on induction?', sources: [] },
      ],
    });
    expect(received[0]).toMatchObject({
      path: `/api/v1/product-faqs?page_url=${encodeURIComponent(page)}&locale=de&count=2`,
      authorization: 'Bearer sk_alhena_secret',
    });
    expect(received[1]).toMatchObject({
      path: '/api/v1/send_message',
      body: { query_text: 'Does it work on induction?', faq_id: 124, page_url: page, locale: 'de' },
    });
  });

  it('passes generating on as a 202 with Retry-After and retry_after_seconds', async () => {
    respond = (_request, _body, response) =>
      json(response, 202, { status: 'generating', retry_after_seconds: 7 }, { 'retry-after': '7' });
    const reply = await faqsOf(proxy());
    expect(reply.status).toBe(202);
    expect(reply.headers.get('retry-after')).toBe('7');
    expect(await reply.json()).toEqual({ status: 'generating', retry_after_seconds: 7 });
    expect(received[0]!.path).toContain('locale=en&count=5');
  });

  it('passes not_available on, and serves repeat views from the cache', async () => {
    respond = (_request, _body, response) => json(response, 200, { status: 'not_available', faqs: [] });
    const handler = proxy();
    expect(await (await faqsOf(handler)).json()).toEqual({ status: 'not_available', faqs: [] });
    await faqsOf(handler);
    await faqsOf(handler);
    expect(received).toHaveLength(1);
  });

  it('maps the vendor rate limit and malformed lists', async () => {
    respond = (_request, _body, response) => json(response, 429, { detail: 'Limit of 500 per minute' }, { 'retry-after': '20' });
    const limited = await faqsOf(proxy());
    expect(limited.status).toBe(429);
    expect(await limited.text()).not.toContain('500 per minute');
    respond = (_request, _body, response) => json(response, 200, { status: 'ready', faqs: [{ question: 'No id' }] });
    expect(((await (await faqsOf(proxy())).json()) as { error: { code: string } }).error.code).toBe('upstream_malformed');
  });
});
