import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '@concierge/core';
import { createConciergeHandler } from '../handler';
import { createOpenAIProvider, MAX_TOOL_ROUNDS } from './openai-provider';

const KB_DIR = fileURLToPath(new URL('../../fixtures/knowledge-base', import.meta.url));

/** A fake OpenAI-compatible server (the chat-completions streaming shape), on loopback. */
let respond: (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void;
const received: { path: string; authorization?: string; body: Record<string, unknown> }[] = [];
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
  vendorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  close = () => server.close();
});
afterAll(() => close());
beforeEach(() => {
  received.length = 0;
});

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

async function proxy(apiKey?: string, options: { timeoutMs?: number; fetch?: typeof globalThis.fetch } = {}) {
  const provider = await createOpenAIProvider({ apiKey, baseUrl: vendorUrl, model: 'llama3.1', dir: KB_DIR, ...options });
  return createConciergeHandler({ provider, rateLimit: false, onError: () => {} });
}

/** Asks the proxy "Refunds?", as a stream or as one JSON reply. */
function ask(handler: Awaited<ReturnType<typeof proxy>>, stream = true) {
  return handler(
    new Request('http://shop.example/api/concierge/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'Refunds?', stream }),
    }),
  );
}

describe('OpenAI-compatible provider', () => {
  it('grounds the prompt on the best passages, streams the answer and cites the passages', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end([chunk('Refunds take '), chunk('5 business days.'), chunk('', 'stop'), 'data: [DONE]\n\n'].join(''));
    };
    const handler = await proxy('sk-openai');
    const reply = await handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'How long do refunds take?', locale: 'de' }),
      }),
    );
    const text = await reply.text();
    expect(received[0]).toMatchObject({ path: '/v1/chat/completions', authorization: 'Bearer sk-openai', body: { model: 'llama3.1', stream: true } });
    const messages = received[0]!.body.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('Refunds reach your original payment method within 5 business days');
    // The same ranked evidence the local provider answers from: the refunds section first, its answering sentence marked.
    expect(messages[0]!.content).toMatch(/\[1\] Returns – Refunds \(\/policies\/returns\)\nMost relevant: Refunds reach your original payment method within 5 business days/);
    expect(messages[0]!.content).toContain('/policies/contact');
    expect(messages[0]!.content).toContain('"de"');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'How long do refunds take?' });
    expect(text.match(/^event: (\w+)$/gm)).toEqual(['event: start', 'event: delta', 'event: delta', 'event: sources', 'event: done']);
    expect(text).toContain('"url":"/policies/returns"');
  });

  it('sends the thread history on a follow-up, and no key to a local server that needs none', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end([chunk('Sure.', 'stop'), 'data: [DONE]\n\n'].join(''));
    };
    const handler = await proxy();
    const send = (message: string, thread?: { threadId: string; threadToken: string }) =>
      handler(
        new Request('http://shop.example/api/concierge/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(thread ? { 'concierge-thread-token': thread.threadToken } : {}) },
          body: JSON.stringify({ message, threadId: thread?.threadId, stream: false }),
        }),
      ).then((response) => response.json() as Promise<{ threadId: string; threadToken: string }>);
    const first = await send('Tell me about express shipping');
    await send('How fast is it?', first);
    const messages = received[1]!.body.messages as { role: string; content: string }[];
    expect(messages.slice(1).map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(received[1]!.authorization).toBeUndefined();
  });

  it('reports a stream cut before the model finished', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('Half an'));
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const text = await (await ask(await proxy('k'))).text();
    expect(text).toMatch(/event: error\ndata: \{"code":"upstream_unavailable"/);
  });

  it('refuses a model that streams a line without end once it passes the bound, without buffering it', async () => {
    let pulled = 0;
    let cancelled = false;
    const piece = new TextEncoder().encode('x'.repeat(16_384));
    const fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new TextEncoder().encode('data: ')),
          pull: (controller) => {
            pulled += piece.length;
            controller.enqueue(piece);
          },
          cancel: () => void (cancelled = true),
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const reply = await ask(await proxy('k', { fetch }));
    expect(reply.status).toBe(502);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('upstream_malformed');
    expect(cancelled).toBe(true);
    expect(pulled).toBeGreaterThan(LIMITS.eventMaxChars);
    expect(pulled).toBeLessThan(LIMITS.eventMaxChars + 4 * piece.length);
  });

  it('bounds silence, not length: an answer that keeps flowing past the timeout is not cut', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const pieces = ['One ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven.'];
      const next = () => {
        const piece = pieces.shift();
        if (piece === undefined) return response.end(chunk('', 'stop') + 'data: [DONE]\n\n');
        response.write(chunk(piece));
        setTimeout(next, 100);
      };
      next();
    };
    const reply = await ask(await proxy('k', { timeoutMs: 300 }), false);
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { text: string }).text).toBe('One two three four five six seven.');
  });

  it('a model that stalls mid-answer gives upstream_timeout after the bound, and its connection is closed', async () => {
    let closed = false;
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('Half an'));
      response.on('close', () => (closed = true));
    };
    const text = await (await ask(await proxy('k', { timeoutMs: 300 }))).text();
    expect(text).toContain('Half an');
    expect(text).toMatch(/event: error\ndata: \{"code":"upstream_timeout"/);
    for (let attempt = 0; attempt < 50 && !closed; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(true);
  });
});

describe('OpenAI-compatible provider: products and orders', () => {
  async function askAbout(message: string, orders?: Parameters<typeof createConciergeHandler>[0]['orders']) {
    const provider = await createOpenAIProvider({ baseUrl: vendorUrl, model: 'llama3.1', dir: KB_DIR });
    const handler = createConciergeHandler({ provider, rateLimit: false, onError: () => {}, ...(orders ? { orders } : {}) });
    const response = await handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message, stream: false }),
      }),
    );
    return (await response.json()) as { text: string; products?: { id: string }[] };
  }

  it('sends the catalog entries as context, and the products the answer names arrive as cards', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end([chunk('Yes: the Cast Iron Skillet works on induction.'), chunk('', 'stop'), 'data: [DONE]\n\n'].join(''));
    };
    const reply = await askAbout('Can I use the skillet on induction?');
    expect(JSON.stringify(received[0]!.body.messages)).toContain('Gas, electric, induction and oven.');
    expect(reply.products?.map((product) => product.id)).toEqual(['cast-iron-skillet']);
  });

  it('calls the store\'s order lookup as a tool, and answers from what it found', async () => {
    const toolCall = (args: string, first: boolean) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...(first ? { id: 'call_1', type: 'function' } : {}), function: { ...(first ? { name: 'lookup_order' } : {}), arguments: args } }] }, finish_reason: null }] })}\n\n`;
    respond = (_request, body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const messages = body.messages as { role: string; content: string }[];
      if (messages.at(-1)!.role !== 'tool') {
        expect((body.tools as { function: { name: string } }[]).map((tool) => tool.function.name)).toEqual(['search_products', 'lookup_order']);
        response.end(
          [toolCall('{"orderNumber":"LF-10', true), toolCall('427","email":"ada@example.com"}', false), `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n`, 'data: [DONE]\n\n'].join(''),
        );
        return;
      }
      const result = JSON.parse(messages.at(-1)!.content) as { found: boolean; status?: string };
      response.end([chunk(result.found ? `Your order has ${result.status}.` : 'I could not find that order.'), chunk('', 'stop'), 'data: [DONE]\n\n'].join(''));
    };
    const orders = {
      lookup: async ({ orderNumber, email }: { orderNumber: string; email: string }) =>
        orderNumber === 'LF-10427' ? { orderNumber, email: 'ada@example.com', status: 'shipped' } : undefined,
    };
    expect((await askAbout('Where is order LF-10427? ada@example.com', orders)).text).toBe('Your order has shipped.');
    expect(received).toHaveLength(2);
    // The email must match the order's: the model never learns another shopper's order.
    received.length = 0;
    const careless = { lookup: async ({ orderNumber }: { orderNumber: string }) => ({ orderNumber, email: 'eve@example.com', status: 'shipped' }) };
    expect((await askAbout('Where is order LF-10427? ada@example.com', careless)).text).toBe('I could not find that order.');
    expect(JSON.parse((received[1]!.body.messages as { content: string }[]).at(-1)!.content)).toEqual({ found: false });
  });
});

describe('OpenAI-compatible provider: search_products', () => {
  const PRODUCTS = [
    { slug: 'merino-sweater', name: 'Merino Crew Sweater', category: 'Knitwear', description: 'A warm merino wool sweater for cold days.', price: 120, materials: ['Merino wool'], sizes: ['S', 'M', 'L'], colors: ['Navy', 'Oatmeal'], image: '/img/merino.jpg' },
    { slug: 'cotton-sweater', name: 'Cotton Cable Sweater', category: 'Knitwear', description: 'A light cotton sweater with a cable knit.', price: 85, materials: ['Organic cotton'], sizes: ['M', 'L', 'XL'], colors: ['Navy', 'Red'], warranty: 'One year.' },
    { slug: 'wool-beanie', name: 'Wool Beanie', category: 'Accessories', description: 'A ribbed wool hat that keeps your ears warm.', price: 35, colors: ['Navy', 'Grey'], inStock: true },
    { slug: 'rain-jacket', name: 'Storm Rain Jacket', category: 'Outerwear', description: 'A waterproof jacket with taped seams.', price: 180, sizes: ['S', 'M', 'L'] },
  ];
  let storeDir = '';
  beforeAll(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'openai-tools-'));
    await writeFile(join(storeDir, 'products.json'), JSON.stringify(PRODUCTS));
    await writeFile(join(storeDir, 'contact.md'), '---\nurl: /contact\n---\n# Contact us\n\nWrite to care@shop.example.\n');
  });
  afterAll(() => rm(storeDir, { recursive: true, force: true }));

  type Sent = { role: string; content: string | null; tool_call_id?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] };
  const sse = (...frames: string[]) => [...frames, 'data: [DONE]\n\n'].join('');
  /** One tool call streamed as the API does: id and name first, the arguments in two pieces. */
  const toolCall = (id: string, name: string, args: string) => {
    const frame = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const half = Math.floor(args.length / 2);
    return [
      frame({ tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: args.slice(0, half) } }] }),
      frame({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }),
      frame({}, 'tool_calls'),
    ].join('');
  };
  const toolResults = (body: Record<string, unknown>) =>
    (body.messages as Sent[]).filter((message) => message.role === 'tool').map((message) => JSON.parse(message.content!) as Record<string, unknown>);

  async function ask(message: string, stream: boolean) {
    const provider = await createOpenAIProvider({ baseUrl: vendorUrl, model: 'llama3.1', dir: storeDir });
    const handler = createConciergeHandler({ provider, rateLimit: false, onError: () => {} });
    return handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message, stream }),
      }),
    );
  }

  it('searches with a price filter, answers from the results, and the reply carries their cards', async () => {
    respond = (_request, body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const messages = body.messages as Sent[];
      if (messages.at(-1)!.role !== 'tool') {
        const search = (body.tools as { function: { name: string; parameters: { properties: Record<string, unknown> } } }[]).find((tool) => tool.function.name === 'search_products');
        expect(Object.keys(search!.function.parameters.properties)).toEqual(['words', 'minPrice', 'maxPrice', 'category', 'attributes']);
        expect(JSON.stringify(search)).toContain('Knitwear');
        expect(body.tools).toHaveLength(1); // no order lookup without the store's `orders`
        response.end(sse(toolCall('call_a', 'search_products', '{"words":"sweater","maxPrice":100}')));
        return;
      }
      const [result] = toolResults(body) as [{ products: { name: string; price: number }[] }];
      const [first] = result.products;
      response.end(sse(chunk(`The **${first!.name}** costs $${first!.price}. `), chunk('It comes in navy.'), chunk('', 'stop')));
    };
    const reply = await ask('A sweater under $100?', true);
    expect(reply.status).toBe(200);
    const text = await reply.text();
    expect(received).toHaveLength(2);
    const second = received[1]!.body.messages as Sent[];
    expect(second.at(-2)).toMatchObject({ role: 'assistant', content: null, tool_calls: [{ id: 'call_a', function: { name: 'search_products', arguments: '{"words":"sweater","maxPrice":100}' } }] });
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_a' });
    // Only the catalog's data, for the products the filter lets through.
    expect(toolResults(received[1]!.body)).toEqual([
      {
        count: 1,
        products: [
          {
            id: 'cotton-sweater',
            name: 'Cotton Cable Sweater',
            price: 85,
            currency: 'USD',
            url: '/products/cotton-sweater',
            description: 'A light cotton sweater with a cable knit.',
            category: 'Knitwear',
            materials: ['Organic cotton'],
            sizes: ['M', 'L', 'XL'],
            colors: ['Navy', 'Red'],
            warranty: 'One year.',
          },
        ],
      },
    ]);
    expect(text.match(/^event: (\w+)$/gm)).toEqual(['event: start', 'event: delta', 'event: delta', 'event: sources', 'event: products', 'event: done']);
    const products = JSON.parse(/event: products\ndata: (.*)/.exec(text)![1]!) as { products: { id: string; price: number; url: string }[] };
    expect(products.products).toEqual([expect.objectContaining({ id: 'cotton-sweater', name: 'Cotton Cable Sweater', price: 85, currency: 'USD', url: '/products/cotton-sweater' })]);
    expect(text).toContain('"title":"Cotton Cable Sweater","url":"/products/cotton-sweater"');
  });

  it('gives arguments that are not JSON an error result, and the model\'s second try works', async () => {
    respond = (_request, body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const results = toolResults(body);
      if (results.length === 0) return void response.end(sse(toolCall('call_1', 'search_products', '{"words": "hat", maxPrice: 50')));
      if (results.length === 1) return void response.end(sse(toolCall('call_2', 'search_products', '{"words":"hat","maxPrice":50}')));
      const found = results[1] as { products: { name: string }[] };
      response.end(sse(chunk(`Try the ${found.products.map(({ name }) => name).join(', ')}.`, 'stop')));
    };
    const reply = await ask('A warm hat?', false);
    expect(reply.status).toBe(200);
    const json = (await reply.json()) as { text: string; products?: { id: string }[] };
    const results = toolResults(received[2]!.body);
    expect(results[0]).toEqual({ error: expect.stringMatching(/not valid JSON/) });
    expect(results[1]).toMatchObject({ count: 1, products: [{ id: 'wool-beanie', availability: 'in_stock' }] });
    expect(json.text).toBe('Try the Wool Beanie.');
    expect(json.products?.map(({ id }) => id)).toEqual(['wool-beanie']);
  });

  it('gives arguments that fail validation, and unknown tools, an error result the model can act on', async () => {
    respond = (_request, body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const results = toolResults(body);
      if (results.length === 0) return void response.end(sse(toolCall('call_1', 'search_products', '{"minPrice":200,"maxPrice":100}')));
      if (results.length === 1) return void response.end(sse(toolCall('call_2', 'lookup_order', '{"orderNumber":"LF-1","email":"a@b.c"}')));
      if (results.length === 2) return void response.end(sse(toolCall('call_3', 'search_products', '{"color":"navy"}')));
      response.end(sse(chunk('I could not search that.', 'stop')));
    };
    const reply = await ask('Something between 200 and 100?', false);
    expect(reply.status).toBe(200);
    const results = toolResults(received[3]!.body);
    expect(results).toEqual([
      { error: 'minPrice (200) is above maxPrice (100).' },
      { error: 'Unknown tool "lookup_order". Available: search_products.' },
      { error: expect.stringMatching(/Unknown field "color".*attributes/) },
    ]);
    expect(((await reply.json()) as { products?: unknown }).products).toBeUndefined();
  });

  it(`stops offering tools after ${MAX_TOOL_ROUNDS} rounds, and answers from the catalog when the model keeps calling`, async () => {
    let calls = 0;
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      calls += 1;
      // A model that ignores tool_choice "none" and never answers.
      response.end(sse(toolCall(`call_${calls}`, 'search_products', JSON.stringify({ words: 'sweater', attributes: { color: 'navy' } }))));
    };
    const reply = await ask('Navy sweaters?', false);
    expect(reply.status).toBe(200);
    expect(received).toHaveLength(MAX_TOOL_ROUNDS + 1);
    expect(received.map(({ body }) => body.tool_choice)).toEqual([...Array.from({ length: MAX_TOOL_ROUNDS }, () => undefined), 'none']);
    expect(received.every(({ body }) => Array.isArray(body.tools))).toBe(true);
    // The last round's calls are not run: each request has one more tool result than the one before, up to the cap.
    expect(toolResults(received.at(-1)!.body)).toHaveLength(MAX_TOOL_ROUNDS);
    const json = (await reply.json()) as { text: string; products?: { id: string }[] };
    expect(json.text).toBe('Here is what I found in the catalog:\n\n- [Merino Crew Sweater](/products/merino-sweater)\n- [Cotton Cable Sweater](/products/cotton-sweater)');
    expect(json.products?.map(({ id }) => id)).toEqual(['merino-sweater', 'cotton-sweater']);
  });

  it('a model that answers at once, naming no product of the search or the prompt, gets no cards', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(sse(chunk('We are open every day.', 'stop')));
    };
    const json = (await (await ask('When are you open?', false)).json()) as { text: string; products?: unknown };
    expect(received).toHaveLength(1);
    expect(json).toMatchObject({ text: 'We are open every day.' });
    expect(json.products).toBeUndefined();
  });
});
