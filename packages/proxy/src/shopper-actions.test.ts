import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../test/redis-server';
import { sseEvents, type WireEvent } from '../test/sse';
import { createConciergeHandler, type ConciergeHandlerOptions } from './handler';
import { createHaniaProvider } from './hania/hania-provider';
import { createLocalProvider } from './local/local-provider';
import { createRedisStore } from './redis-store';
import { createMemoryStore } from './store';
import type { Feedback, Handoff } from './webhooks';

// Feedback and handoff, from the shopper's request to the store's hook and its signed webhook:
// the local provider answers, a loopback server is the store's webhook endpoint, and a real
// redis-server is shared by two instances for "counts once".

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const SECRET = 'a-secret-every-instance-shares-0123456789';
const WEBHOOK_SECRET = `whsec_${Buffer.from('a webhook secret of 32 bytes....').toString('base64')}`;

interface Delivery {
  id: string;
  type: string;
  data: Record<string, unknown>;
  verified: boolean;
}

/** The store's endpoint: verifies each delivery's signature, answers as `answer` says. */
let endpoint: { url: string; deliveries: Delivery[]; answer: (delivery: Delivery, tries: number) => number | 'hang'; server: Server };
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  const deliveries: Delivery[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      let verified = true;
      try {
        new Webhook(WEBHOOK_SECRET).verify(body, request.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      const delivery = { id: String(request.headers['webhook-id']), type: parsed.type, data: parsed.data, verified };
      deliveries.push(delivery);
      const status = endpoint.answer(delivery, deliveries.filter((each) => each.id === delivery.id).length);
      if (status !== 'hang') response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, deliveries, answer: () => 204, server };
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  endpoint.server.closeAllConnections();
  endpoint.server.close();
  await redis?.stop();
});

const FAST_RETRIES = { retryDelaysMs: [20, 40, 80] };

function handler(options: Partial<ConciergeHandlerOptions> = {}) {
  const errors: unknown[] = [];
  const handle = createConciergeHandler({
    provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }),
    secret: SECRET,
    rateLimit: false,
    onError: (error) => errors.push(error),
    ...options,
  });
  return Object.assign(handle, { errors });
}

function request(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Request(`http://shop.example/api/concierge/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A conversation of one answered question: its thread, reply id and token. */
async function converse(handle: ReturnType<typeof handler>, message = 'What is your return policy?') {
  const events: WireEvent[] = [];
  for await (const event of sseEvents(await handle(request('messages', { message }, { accept: 'text/event-stream' })))) events.push(event);
  const done = events.find((event) => event.event === 'done')!.data as { threadId: string; messageId: string; threadToken: string; offerHandoff?: boolean };
  return { ...done, events, owner: { 'concierge-thread-token': done.threadToken } };
}

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('POST /feedback', () => {
  it('records a rating of the owner’s reply, passes it to onFeedback and keeps it with the thread', async () => {
    const received: Feedback[] = [];
    const store = createMemoryStore();
    const handle = handler({ store, onFeedback: (feedback) => void received.push(feedback) });
    const { threadId, messageId, owner } = await converse(handle);
    const response = await handle(request('feedback', { threadId, messageId, rating: 'down', comment: '  Too vague  ' }, owner));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: true, duplicate: false });
    await until(() => received.length === 1, 'the hook');
    expect(received[0]).toMatchObject({ threadId, messageId, rating: 'down', comment: 'Too vague' });
    expect(received[0]!.reply).toMatch(/return/i);
    expect(JSON.stringify(received[0])).not.toContain(owner['concierge-thread-token']);
    // Kept with the thread: the reply's latest rating, in the store the transcript is in.
    expect(await store.get(`feedback:${threadId}:${messageId}`)).toMatchObject({ rating: 'down', comment: 'Too vague' });
  });

  it('is for the thread’s owner only, and for replies the thread has', async () => {
    const handle = handler({ onFeedback: () => {} });
    const { threadId, messageId, owner } = await converse(handle);
    const stranger = await handle(request('feedback', { threadId, messageId, rating: 'up' }));
    expect(stranger.status).toBe(404);
    const other = await converse(handle, 'Do you ship to Canada?');
    const wrongToken = await handle(request('feedback', { threadId, messageId, rating: 'up' }, other.owner));
    expect(wrongToken.status).toBe(404);
    const unknown = await handle(request('feedback', { threadId, messageId: 'not-a-reply', rating: 'up' }, owner));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.field).toBe('messageId');
  });

  it.each([
    [{ rating: 'meh' }, 'rating'],
    [{ rating: 'up', comment: 'x'.repeat(1001) }, 'comment'],
    [{ rating: 'up', stars: 5 }, 'stars'],
    [{ rating: 'up', messageId: '../etc' }, 'messageId'],
    [{ rating: 'up', threadId: 7 }, 'threadId'],
  ])('answers %j with a 400 naming %s', async (change, field) => {
    const handle = handler({ onFeedback: () => {} });
    const { threadId, messageId, owner } = await converse(handle);
    const response = await handle(request('feedback', { threadId, messageId, ...change }, owner));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'invalid_request', field });
  });

  it('counts the same feedback once across two instances on Redis, and a changed one again', async () => {
    const received: Feedback[] = [];
    const prefix = `feedback-${Date.now()}:`;
    const stores = [createRedisStore({ url: redis.url, prefix }), createRedisStore({ url: redis.url, prefix })];
    const [a, b] = stores.map((store) => handler({ store, onFeedback: (feedback) => void received.push(feedback) }));
    try {
      const { threadId, messageId, owner } = await converse(a!);
      const body = { threadId, messageId, rating: 'up' };
      // A double click that reaches two instances at once.
      const answers = await Promise.all([a!(request('feedback', body, owner)), b!(request('feedback', body, owner))]);
      const results = await Promise.all(answers.map((answer) => answer.json()));
      expect(results.map((result) => result.duplicate).sort()).toEqual([false, true]);
      const changed = await b!(request('feedback', { ...body, rating: 'down', comment: 'Wrong size chart' }, owner));
      expect(await changed.json()).toEqual({ recorded: true, duplicate: false });
      await until(() => received.length === 2, 'two ratings');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.map((feedback) => feedback.rating)).toEqual(['up', 'down']);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

describe('POST /handoff', () => {
  it('is off until the store sets onHandoff or a webhook', async () => {
    const response = await handler()(request('handoff', { email: 'ana@example.com' }));
    expect(response.status).toBe(404);
    expect((await response.json()).error.message).toMatch(/not set up/);
  });

  it('passes the thread, email and note to onHandoff and tells the shopper the reply time', async () => {
    const received: Handoff[] = [];
    const handle = handler({ onHandoff: (handoff) => void received.push(handoff), handoffReplyTime: 'within 2 hours' });
    const { threadId, owner } = await converse(handle);
    const response = await handle(request('handoff', { threadId, email: ' ana@example.com ', note: 'My parcel is damaged', pageUrl: 'https://shop.example/p/1' }, owner));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ handoffId: expect.any(String), replyTime: 'within 2 hours' });
    await until(() => received.length === 1, 'the hook');
    expect(received[0]).toMatchObject({ handoffId: body.handoffId, threadId, email: 'ana@example.com', note: 'My parcel is damaged', pageUrl: 'https://shop.example/p/1' });
    expect(received[0]!.transcript.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('works before any message, and refuses a thread the caller does not own', async () => {
    const received: Handoff[] = [];
    const handle = handler({ onHandoff: (handoff) => void received.push(handoff) });
    expect((await handle(request('handoff', { email: 'ana@example.com' }))).status).toBe(200);
    await until(() => received.length === 1, 'the hook');
    expect(received[0]!.transcript).toEqual([]);
    const { threadId } = await converse(handle);
    expect((await handle(request('handoff', { threadId, email: 'ana@example.com' }))).status).toBe(404);
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{}, 'email'],
    [{ email: `${'a'.repeat(250)}@example.com` }, 'email'],
    [{ email: 'ana@example.com', note: 'n'.repeat(2001) }, 'note'],
    [{ email: 'ana@example.com', pageUrl: 'javascript:alert(1)' }, 'pageUrl'],
  ])('answers %j with a 400 naming %s', async (body, field) => {
    const response = await handler({ onHandoff: () => {} })(request('handoff', body));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'invalid_request', field });
  });

  it('counts against the client’s rate limit like messages do', async () => {
    const handle = handler({ onHandoff: () => {}, rateLimit: { limit: 2, windowSeconds: 60, threadLimit: false } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await handle(request('handoff', { email: 'ana@example.com' }))).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('the webhook', () => {
  it('signs feedback and handoff events per Standard Webhooks, and retries a failing endpoint with the same id', async () => {
    endpoint.deliveries.length = 0;
    endpoint.answer = (delivery, tries) => (delivery.type === 'feedback.created' && tries < 3 ? 503 : 204);
    const handle = handler({ webhook: { url: endpoint.url, secret: WEBHOOK_SECRET, ...FAST_RETRIES } });
    const { threadId, messageId, owner } = await converse(handle);
    await handle(request('feedback', { threadId, messageId, rating: 'up' }, owner));
    await handle(request('handoff', { threadId, email: 'ana@example.com' }, owner));
    await until(() => endpoint.deliveries.filter((delivery) => delivery.verified).length === 4, 'four deliveries');
    const feedback = endpoint.deliveries.filter((delivery) => delivery.type === 'feedback.created');
    expect(feedback).toHaveLength(3);
    expect(new Set(feedback.map((delivery) => delivery.id)).size).toBe(1);
    expect(feedback[0]!.data).toMatchObject({ threadId, messageId, rating: 'up' });
    const handoff = endpoint.deliveries.find((delivery) => delivery.type === 'handoff.requested')!;
    expect(handoff.data).toMatchObject({ threadId, email: 'ana@example.com' });
    expect(handle.errors).toEqual([]);
  });

  it('never makes the shopper wait for the endpoint, and reports a delivery it gives up on', async () => {
    endpoint.deliveries.length = 0;
    let hung = 0;
    endpoint.answer = () => (hung++ === 0 ? 'hang' : 400);
    const handle = handler({ webhook: { url: endpoint.url, secret: WEBHOOK_SECRET, timeoutMs: 300, ...FAST_RETRIES } });
    const response = await handle(request('handoff', { email: 'ana@example.com' }));
    expect(response.status).toBe(200);
    // The endpoint holds the first delivery and has not answered, yet the shopper had the answer.
    await until(() => endpoint.deliveries.length === 1, 'the first delivery');
    expect(handle.errors).toEqual([]);
    // The hung try times out and is retried; the 400 that follows is final.
    await until(() => handle.errors.length === 1, 'the report');
    expect(endpoint.deliveries).toHaveLength(2);
    expect(String(handle.errors[0])).toMatch(/handoff\.requested .* answered 400; giving up after 2 tries/);
  });

  it('tells the store once when the vendor refuses for billing, while shoppers see only "temporarily unavailable"', async () => {
    endpoint.deliveries.length = 0;
    endpoint.answer = () => 204;
    const vendor = createServer((_, response) => {
      response.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, message: 'Plan limit reached', code: 'PLAN_LIMIT_REACHED' }));
    });
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
    try {
      const provider = createHaniaProvider({
        apiKey: 'hania_sk_secret',
        botId: 'b1f2c3d4-5678-90ab-cdef-1234567890ab',
        baseUrl: `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`,
      });
      const handle = handler({ provider, webhook: { url: endpoint.url, secret: WEBHOOK_SECRET, ...FAST_RETRIES } });
      for (const message of ['Hello?', 'Anyone there?']) {
        const response = await handle(request('messages', { message, stream: false }));
        expect(response.status).toBe(402);
        const { error } = await response.json();
        expect(error.message).toBe('The assistant is temporarily unavailable.');
      }
      await until(() => endpoint.deliveries.length === 1, 'the billing event');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(endpoint.deliveries).toHaveLength(1);
      expect(endpoint.deliveries[0]).toMatchObject({ type: 'billing.problem', verified: true, data: { provider: 'hania', reason: 'plan_limit_reached' } });
    } finally {
      vendor.close();
    }
  });

  it('refuses a secret that is not base64 when the handler is created', () => {
    expect(() => handler({ webhook: { url: endpoint.url, secret: 'whsec_not base64!' } })).toThrow();
  });
});

describe('replies that offer more', () => {
  it('stream up to three follow-up questions the local provider can answer, and keep them in the history', async () => {
    const handle = handler();
    const { events, threadId, owner } = await converse(handle, 'What is your return policy?');
    const suggestions = events.find((event) => event.event === 'suggestions')?.data.suggestions as string[];
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(3);
    expect(events.map((event) => event.event).slice(-2)).toEqual(['suggestions', 'done']);
    const history = await (await handle(new Request(`http://shop.example/api/concierge/threads/${threadId}`, { headers: owner }))).json();
    expect(history.messages[1].suggestions).toEqual(suggestions);
    for (const question of suggestions) {
      const answer = await converse(handle, question);
      expect(answer.offerHandoff, question).toBeUndefined();
    }
  });

  it('offer a person when the assistant does not know', async () => {
    const handle = handler();
    const { offerHandoff, events } = await converse(handle, 'Can you fix my vintage motorbike carburettor?');
    expect(offerHandoff).toBe(true);
    expect(events.some((event) => event.event === 'suggestions')).toBe(false);
    const known = await converse(handle, 'What is your return policy?');
    expect(known.offerHandoff).toBeUndefined();
  });
});
