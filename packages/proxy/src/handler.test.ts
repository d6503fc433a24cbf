import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConciergeHandler } from './handler';
import { createLocalProvider } from './local/local-provider';
import { createNodeServer } from './node';
import type { ConversationState, Provider, ProviderRequest } from './provider';
import { createMemoryStore } from './store';

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
let base = '';
let close: () => void = () => {};

beforeAll(async () => {
  const handler = createConciergeHandler({
    provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 1 }),
    rateLimit: false,
  });
  const server = createNodeServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/concierge`;
  close = () => server.close();
});

afterAll(() => close());

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface WireEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): WireEvent[] {
  return text
    .trim()
    .split('\n\n')
    .map((frame) => {
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(frame)?.[1] ?? '';
      return { id: field('id'), event: field('event'), data: JSON.parse(field('data')) };
    });
}

async function expectError(response: Response, status: number, code: string, field?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
  if (field) expect(body.error.field).toBe(field);
  return body.error;
}

describe('POST /messages', () => {
  it('streams start, deltas, sources, suggestions and done, every event with an id', async () => {
    const response = await post({ message: 'What is your return policy?' }, { accept: 'text/event-stream' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());

    expect(events[0]!.event).toBe('start');
    expect(events.slice(-3).map((event) => event.event)).toEqual(['sources', 'suggestions', 'done']);
    const deltas = events.filter((event) => event.event === 'delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((event) => event.data.text).join('')).toContain('within 30 days');
    const { messageId, threadId } = events[0]!.data;
    // `{reply}/{log id}`: one reply, ids growing, so a client can resume after any of them.
    const [replyId] = events[0]!.id.split('/');
    expect(events.every((event) => event.id.startsWith(`${replyId}/`))).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    expect(events.at(-1)!.data).toMatchObject({ threadId, messageId });
    expect(events.at(-1)!.data.confidence).toBeGreaterThan(0.4);
    expect(events.at(-3)!.data.sources).toContainEqual(expect.objectContaining({ url: '/policies/returns' }));
  });

  it('streams the products a reply is about as their own event, and keeps them in the JSON reply and the history', async () => {
    const card = { id: 'cast-iron-skillet', name: 'Cast Iron Skillet', url: '/products/cast-iron-skillet', price: 95, currency: 'USD' };
    const events = parseSse(await (await post({ message: 'Can I use the skillet on induction?' }, { accept: 'text/event-stream' })).text());
    expect(events.map((event) => event.event).slice(-4)).toEqual(['sources', 'products', 'suggestions', 'done']);
    expect(events.at(-3)!.data.products).toEqual([expect.objectContaining(card)]);
    // Follow-ups about the product's other fields (the question asked about compatibility).
    expect(events.at(-2)!.data.suggestions).toEqual(['What is the Cast Iron Skillet made of?', 'How do I care for the Cast Iron Skillet?']);
    const json = (await (await post({ message: 'Can I use the skillet on induction?', stream: false })).json()) as { threadId: string; threadToken: string; products: unknown[] };
    expect(json.products).toEqual([expect.objectContaining(card)]);
    const history = await fetch(`${base}/threads/${json.threadId}`, { headers: { 'concierge-thread-token': json.threadToken } });
    const { messages } = (await history.json()) as { messages: { role: string; products?: unknown[] }[] };
    expect(messages[1]!.products).toEqual([expect.objectContaining(card)]);
  });

  it('answers with one JSON reply when stream is false', async () => {
    const response = await post({ message: 'Is the skillet dishwasher safe?', stream: false });
    expect(response.status).toBe(200);
    const reply = (await response.json()) as { text: string; sources: { title: string }[]; threadId: string };
    expect(reply.text).toContain('Not dishwasher safe');
    expect(reply.sources[0]!.title).toBe('Cast Iron Skillet');
    expect(typeof reply.threadId).toBe('string');
  });

  it('keeps the thread: a follow-up continues it and the history holds both turns', async () => {
    const first = (await (await post({ message: 'How long do refunds take?', stream: false })).json()) as {
      threadId: string;
      threadToken: string;
    };
    const owner = { 'concierge-thread-token': first.threadToken };
    const second = (await (
      await post({ message: 'And how long does express shipping take?', threadId: first.threadId, stream: false }, owner)
    ).json()) as { threadId: string; text: string };
    expect(second.threadId).toBe(first.threadId);
    expect(second.text).toContain('1–2 days');

    const history = await fetch(`${base}/threads/${first.threadId}`, { headers: owner });
    expect(history.status).toBe(200);
    const body = (await history.json()) as { messages: { role: string; text: string }[] };
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(body.messages[0]!.text).toBe('How long do refunds take?');
    expect(body.messages[1]!.text).toContain('5 business days');
  });

  it('says plainly that it does not know, pointing to the contact page', async () => {
    const reply = (await (await post({ message: 'Who won the football game last night?', stream: false })).json()) as {
      text: string;
      sources: { url: string }[];
      confidence: number;
    };
    expect(reply.text).toMatch(/not sure/);
    expect(reply.text).toContain('/policies/contact');
    expect(reply.confidence).toBe(0);
    expect(reply.sources).toEqual([{ title: 'Contact us', url: '/policies/contact' }]);
  });

  it.each([
    [{ message: '   ' }, 'message', /cannot be empty/],
    [{}, 'message', /required/],
    [{ message: 42 }, 'message', /string/],
    [{ message: 'x'.repeat(4001) }, 'message', /4000/],
    [{ message: 'hi', threadId: 'bad id with spaces' }, 'threadId', /letters/],
    [{ message: 'hi', locale: 'english please' }, 'locale', /language tag/],
    [{ message: 'hi', pageUrl: 'javascript:alert(1)' }, 'pageUrl', /http or https/],
    [{ message: 'hi', pageUrl: 'ftp://shop.example/' }, 'pageUrl', /http or https/],
    [{ message: 'hi', metadata: { big: 'x'.repeat(999), b: 'x'.repeat(999), c: 'x'.repeat(999), d: 'x'.repeat(999), e: 'x'.repeat(999) } }, 'metadata', /4096 bytes/],
    [{ message: 'hi', metadata: { nested: { no: true } } }, 'metadata.nested', /values must be/],
    [{ message: 'hi', metadata: 'text' }, 'metadata', /object/],
    [{ message: 'hi', stream: 'yes' }, 'stream', /true or false/],
    [{ message: 'hi', surprise: 1 }, 'surprise', /Unknown field/],
    [[1, 2], 'body', /JSON object/],
  ])('rejects a bad body (#%#) with a 400 naming the field', async (body, field, message) => {
    const error = await expectError(await post(body), 400, 'invalid_request', field);
    expect(error.message).toMatch(message);
  });

  it('accepts every valid optional field', async () => {
    const first = (await (await post({ message: 'Refunds?', stream: false })).json()) as { threadId: string; threadToken: string };
    const response = await post({
      message: 'Refunds?',
      threadId: first.threadId,
      locale: 'fr-CA',
      pageUrl: 'https://shop.example/products/skillet',
      metadata: { plan: 'gold', visits: 3, member: true, note: null },
      stream: false,
    }, { 'concierge-thread-token': first.threadToken });
    expect(response.status).toBe(200);
  });

  it('rejects a body that is not JSON with 400, and one that is not declared JSON with 415', async () => {
    await expectError(await post('{oops'), 400, 'invalid_request', 'body');
    const response = await fetch(`${base}/messages`, { method: 'POST', body: 'message=hi' });
    await expectError(response, 415, 'unsupported_media_type');
  });

  it('rejects a body over 64 KB with 413, with or without Content-Length', async () => {
    await expectError(await post({ message: 'x'.repeat(70_000) }), 413, 'payload_too_large');
    const chunked = new ReadableStream({
      start(controller) {
        for (let index = 0; index < 10; index++) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        controller.close();
      },
    });
    const response = await fetch(`${base}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked,
      // @ts-expect-error Node's fetch needs `duplex` for a streamed body.
      duplex: 'half',
    });
    await expectError(response, 413, 'payload_too_large');
  });
});

describe('routes', () => {
  it('answers 404 for an unknown route or thread, 405 with Allow for a wrong method', async () => {
    await expectError(await fetch(`${base}/nope`), 404, 'not_found');
    await expectError(await fetch(`${base.replace('/api/concierge', '')}/elsewhere`), 404, 'not_found');
    await expectError(await fetch(`${base}/threads/unknown-thread`), 404, 'not_found');
    const wrong = await fetch(`${base}/messages`);
    expect(wrong.headers.get('allow')).toBe('POST');
    await expectError(wrong, 405, 'method_not_allowed');
    await expectError(await fetch(`${base}/threads/x`, { method: 'DELETE' }), 405, 'method_not_allowed');
  });

  it('rejects a malformed thread id with 400', async () => {
    await expectError(await fetch(`${base}/threads/${'x'.repeat(200)}`), 400, 'invalid_request', 'threadId');
  });

  it('reports health', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true, provider: 'local' });
  });
});

describe('stopping', () => {
  it('a reply the client stops reading goes on, and is stored whole (only a Stop ends it)', async () => {
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 5 }) });
    const controller = new AbortController();
    const response = await handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'What is your return policy?' }),
        signal: controller.signal,
      }),
    );
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const threadId = /"threadId":"([^"]+)"/.exec(first)![1]!;
    const threadToken = /"threadToken":"([^"]+)"/.exec(first)![1]!;
    await reader.read();
    await reader.cancel();
    controller.abort();

    const history = async () => {
      const answer = await handler(
        new Request(`http://shop.example/api/concierge/threads/${threadId}`, { headers: { 'concierge-thread-token': threadToken } }),
      );
      return answer.ok ? ((await answer.json()) as { messages: { role: string; interrupted?: boolean; text: string }[] }).messages : [];
    };
    let messages = await history();
    for (let tries = 0; messages.length < 2 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      messages = await history();
    }
    expect(messages).toHaveLength(2);
    expect(messages[1]!.interrupted).toBeUndefined();
    expect(messages[1]!.text).toContain('within 30 days');
  });
});

describe('hostile input', () => {
  it('answers every malformed request with a 4xx JSON error, never a 5xx', async () => {
    const values: unknown[] = [null, true, 0, -1, 1e308, '', 'x', [], {}, [null], { a: { b: [] } }, '\u0000', '💥'.repeat(50)];
    const fields = ['message', 'threadId', 'locale', 'pageUrl', 'metadata', 'stream', '__proto__', 'constructor'];
    const bodies: string[] = ['', 'null', '"text"', '[]', '{', '{"message":', '\u0000', '{"message":"hi"}x'];
    for (const field of fields) {
      for (const value of values) bodies.push(JSON.stringify({ message: 'Where is my order?', [field]: value }));
    }
    bodies.push('{"__proto__":{"polluted":true},"message":"hi"}');
    const statuses = new Set<number>();
    for (const body of bodies) {
      const response = await post(body);
      statuses.add(response.status);
      expect(response.status, body).toBeLessThan(500);
      if (response.status >= 400) expect(((await response.json()) as { error: { code: string } }).error.code).toBeTruthy();
      else await response.body?.cancel();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([...statuses].sort()).toEqual([200, 400, 404]);
  });
});

describe('threads belong to the browser that started them', () => {
  async function start(message = 'How long do refunds take?') {
    return (await (await post({ message, stream: false })).json()) as { threadId: string; threadToken: string };
  }

  it('issues a token with the first reply, in the stream and in JSON', async () => {
    const events = parseSse(await (await post({ message: 'Refunds?' }, { accept: 'text/event-stream' })).text());
    const start = events[0]!.data;
    const done = events.at(-1)!.data;
    expect(start.threadToken).toMatch(/^[\w-]{43}$/);
    expect(done).toMatchObject({ threadId: start.threadId, threadToken: start.threadToken });
    const json = (await (await post({ message: 'Refunds?', stream: false })).json()) as { threadToken: string };
    expect(json.threadToken).toMatch(/^[\w-]{43}$/);
  });

  it('another client can neither read nor continue a thread, and learns nothing more than for an unknown id', async () => {
    const mine = await start();
    const theirs = await start('Do you ship to Canada?');
    const unknown = await fetch(`${base}/threads/never-issued-1`);
    const unknownBody = await expectError(unknown, 404, 'not_found');
    const attempts: Record<string, string>[] = [{}, { 'concierge-thread-token': 'forged' }, { 'concierge-thread-token': theirs.threadToken }];
    for (const headers of attempts) {
      const read = await expectError(await fetch(`${base}/threads/${mine.threadId}`, { headers }), 404, 'not_found');
      expect(read).toEqual(unknownBody);
      await expectError(await post({ message: 'And my order number?', threadId: mine.threadId, stream: false }, headers), 404, 'not_found');
    }
    // The owner still can, and the other client's attempts left nothing in the thread.
    const history = await fetch(`${base}/threads/${mine.threadId}`, { headers: { 'concierge-thread-token': mine.threadToken } });
    expect(((await history.json()) as { messages: unknown[] }).messages).toHaveLength(2);
  });

  it('refuses a thread id the proxy never issued', async () => {
    await expectError(await post({ message: 'Hi', threadId: 'chosen-by-attacker-1', stream: false }), 404, 'not_found');
  });

  it('tokens hold across instances that share the secret, and only those', async () => {
    const provider = createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 });
    const secret = 's'.repeat(40);
    const [one, two, other] = [secret, secret, 'o'.repeat(40)].map((key) => createConciergeHandler({ provider, secret: key }));
    const request = (threadId?: string, token?: string) =>
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { 'concierge-thread-token': token } : {}) },
        body: JSON.stringify({ message: 'Refunds?', stream: false, ...(threadId ? { threadId } : {}) }),
      });
    const first = (await (await one!(request())).json()) as { threadId: string; threadToken: string };
    expect((await two!(request(first.threadId, first.threadToken))).status).toBe(200);
    expect((await other!(request(first.threadId, first.threadToken))).status).toBe(404);
  });
});

describe('conversation state', () => {
  /** A provider that counts its turns in the state, and records the state it was given. */
  function counter(options: { vendorThreadId?: string; failAfterState?: (request: ProviderRequest) => boolean } = {}) {
    const seen: (ConversationState | undefined)[] = [];
    const provider: Provider = {
      name: 'counter',
      async *reply(request) {
        seen.push(request.state);
        const turns = Number(request.state?.turns ?? 0) + 1;
        yield { type: 'delta', text: `Turn ${turns}.` };
        yield { type: 'sources', sources: [] };
        yield { type: 'state', state: { ...request.state, turns } };
        if (options.failAfterState?.(request)) throw new Error('the vendor went away');
        yield { type: 'done', confidence: 1, ...(options.vendorThreadId ? { threadId: options.vendorThreadId } : {}) };
      },
    };
    return { provider, seen };
  }

  function send(handler: (request: Request) => Promise<Response>, body: Record<string, unknown>, token?: string, stream = false) {
    return handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(stream ? { accept: 'text/event-stream' } : {}), ...(token ? { 'concierge-thread-token': token } : {}) },
        body: JSON.stringify(body),
      }),
    );
  }

  it('gives the provider the state its last reply left, keeps it in the store beside the transcript, and never sends it', async () => {
    const { provider, seen } = counter();
    const store = createMemoryStore();
    const handler = createConciergeHandler({ provider, store, rateLimit: false, onError: () => {} });
    // The browser cannot set it: it is no field of the protocol.
    expect((await send(handler, { message: 'One', state: { turns: 99 } })).status).toBe(400);
    const stream = await (await send(handler, { message: 'One' }, undefined, true)).text();
    const events = parseSse(stream);
    expect(events.map((event) => event.event)).toEqual(['start', 'delta', 'sources', 'done']);
    expect(stream).not.toContain('turns');
    const { threadId, threadToken } = events[0]!.data as { threadId: string; threadToken: string };
    const second = await send(handler, { message: 'Two', threadId }, threadToken);
    const json = (await second.json()) as Record<string, unknown>;
    expect(json.text).toBe('Turn 2.');
    expect(json).not.toHaveProperty('state');
    await send(handler, { message: 'Three', threadId }, threadToken);
    expect(seen).toEqual([{}, { turns: 1 }, { turns: 2 }]);
    expect(await store.get(`thread-state:${threadId}`)).toEqual({ turns: 3 });
    expect(await store.readMessages(threadId)).toHaveLength(6);
    // A new conversation on the same thread id starts again from {}.
    await send(handler, { message: 'Fresh', threadId, newConversation: true }, threadToken);
    expect(seen.at(-1)).toEqual({});
  });

  it('saves the state under the thread id the vendor gives', async () => {
    const { provider, seen } = counter({ vendorThreadId: 'vendor-thread-1' });
    const store = createMemoryStore();
    const handler = createConciergeHandler({ provider, store, rateLimit: false });
    const first = (await (await send(handler, { message: 'One' })).json()) as { threadId: string; threadToken: string };
    expect(first.threadId).toBe('vendor-thread-1');
    await send(handler, { message: 'Two', threadId: first.threadId }, first.threadToken);
    expect(seen).toEqual([{}, { turns: 1 }]);
    expect(await store.get('thread-state:vendor-thread-1')).toEqual({ turns: 2 });
  });

  it('a reply that fails leaves the state as it was', async () => {
    const { provider, seen } = counter({ failAfterState: (request) => request.message === 'Two' });
    const handler = createConciergeHandler({ provider, rateLimit: false, onError: () => {} });
    const first = (await (await send(handler, { message: 'One' })).json()) as { threadId: string; threadToken: string };
    expect((await send(handler, { message: 'Two', threadId: first.threadId }, first.threadToken)).status).toBe(502);
    await send(handler, { message: 'Three', threadId: first.threadId }, first.threadToken);
    expect(seen).toEqual([{}, { turns: 1 }, { turns: 1 }]);
  });

  it('a reply stopped after its provider yielded a state leaves the state as it was', async () => {
    const seen: (ConversationState | undefined)[] = [];
    const provider: Provider = {
      name: 'slow',
      async *reply(request) {
        seen.push(request.state);
        yield { type: 'delta', text: 'Thinking' };
        yield { type: 'state', state: { turns: 1 } };
        // Stopped here: the reply never reaches done.
        if (request.message === 'Stop me') await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
        if (request.signal.aborted) return;
        yield { type: 'done', confidence: 1 };
      },
    };
    const store = createMemoryStore();
    const handler = createConciergeHandler({ provider, store, rateLimit: false, onError: () => {} });
    const key = crypto.randomUUID();
    const response = await handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'idempotency-key': key },
        body: JSON.stringify({ message: 'Stop me' }),
      }),
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: delta')) text += (await reader.read()).value ?? '';
    const { threadId, threadToken } = parseSse(text)[0]!.data as { threadId: string; threadToken: string };
    const stop = await handler(new Request(`http://shop.example/api/concierge/replies/${key}/stop`, { method: 'POST', headers: { 'concierge-thread-token': threadToken } }));
    expect(await stop.json()).toEqual({ stopped: true });
    while (!(await reader.read()).done);
    expect(await store.get(`thread-state:${threadId}`)).toBeUndefined();
    await send(handler, { message: 'Next', threadId }, threadToken);
    expect(seen).toEqual([{}, {}]);
  });

  it('a provider that yields no state gets {} and stores none', async () => {
    const store = createMemoryStore();
    const states: unknown[] = [];
    const provider: Provider = {
      name: 'plain',
      async *reply(request) {
        states.push(request.state);
        yield { type: 'delta', text: 'Hello.' };
        yield { type: 'done' };
      },
    };
    const handler = createConciergeHandler({ provider, store, rateLimit: false });
    const first = (await (await send(handler, { message: 'One' })).json()) as { threadId: string; threadToken: string };
    await send(handler, { message: 'Two', threadId: first.threadId }, first.threadToken);
    expect(states).toEqual([{}, {}]);
    expect(await store.get(`thread-state:${first.threadId}`)).toBeUndefined();
  });

  it('continues the local provider\'s order flow between turns', async () => {
    const orders = {
      lookup: async ({ orderNumber, email }: { orderNumber: string; email: string }) =>
        orderNumber === 'LF-10427' && email === 'ada@example.com' ? { orderNumber, email, status: 'shipped' } : undefined,
    };
    const handler = createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }), orders, rateLimit: false });
    const first = (await (await send(handler, { message: 'Where is my order?' })).json()) as { threadId: string; threadToken: string; text: string };
    const texts = [first.text];
    for (const message of ['It is LF-10427', 'eve@example.com', 'Sorry, my email is ada@example.com']) {
      const reply = (await (await send(handler, { message, threadId: first.threadId }, first.threadToken)).json()) as { text: string };
      texts.push(reply.text);
    }
    expect(texts.slice(1)).toEqual([
      'Thanks. What is the email address you placed order LF-10427 with?',
      'I could not find an order LF-10427 placed with eve@example.com. Please check both: they are in your order confirmation email.',
      'Order **LF-10427** is **shipped**.',
    ]);
  });
});
