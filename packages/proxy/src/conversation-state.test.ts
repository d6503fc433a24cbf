import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../test/redis-server';
import { createConciergeHandler, type ConciergeHandler } from './handler';
import { createLocalProvider } from './local/local-provider';
import type { OrderLookup } from './provider';
import { createRedisStore } from './redis-store';
import type { ProxyStore } from './store';

// A thread's conversation state lives in the shared store beside its transcript: the local
// provider's order flow goes on whichever instance answers the next turn, and after a restart.
// Two handler instances ("A" and "B"), each with its own client of one real redis-server.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const SECRET = 'a-secret-every-instance-shares-0123456789';
const THREAD_TTL = 3600;

const orders: OrderLookup = {
  lookup: async ({ orderNumber, email }) =>
    orderNumber === 'LF-10427' && email === 'ada@example.com' ? { orderNumber, email, status: 'shipped', carrier: 'UPS' } : undefined,
};

let redis: Awaited<ReturnType<typeof startRedis>>;
const prefix = `state-${crypto.randomUUID()}:`;
const stores: ProxyStore[] = [];

function instance(): ConciergeHandler {
  const store = createRedisStore({ url: redis.url, prefix });
  stores.push(store);
  return createConciergeHandler({
    provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }),
    store,
    orders,
    secret: SECRET,
    threadTtlSeconds: THREAD_TTL,
    rateLimit: false,
    onError: () => {},
  });
}

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await redis?.stop();
});

interface Turn {
  threadId: string;
  threadToken: string;
  text: string;
  /** The SSE exactly as the browser gets it. */
  wire: string;
}

/** One turn as the browser sends it (SSE), on the given instance. */
async function turn(handler: ConciergeHandler, message: string, thread?: { threadId: string; threadToken: string }): Promise<Turn> {
  const response = await handler(
    new Request('http://shop.example/api/concierge/messages', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'idempotency-key': crypto.randomUUID(),
        ...(thread ? { 'concierge-thread-token': thread.threadToken } : {}),
      },
      body: JSON.stringify({ message, ...(thread ? { threadId: thread.threadId } : {}) }),
    }),
  );
  expect(response.status).toBe(200);
  const wire = await response.text();
  const events = wire
    .trim()
    .split('\n\n')
    .map((frame) => ({ event: /^event: (.*)$/m.exec(frame)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null') as Record<string, string> }));
  const done = events.find((event) => event.event === 'done')!.data;
  const text = events.filter((event) => event.event === 'delta').map((event) => event.data.text).join('');
  return { threadId: done.threadId!, threadToken: done.threadToken!, text, wire };
}

describe('conversation state on a shared Redis store', () => {
  it('turn 1 on instance A, turn 2 on instance B: the order flow goes on, and holds after a restart', async () => {
    const a = instance();
    const b = instance();
    const first = await turn(a, 'Where is my order?');
    expect(first.text).toContain('What is your order number and the email address you ordered with?');
    const second = await turn(b, 'It is LF-10427', first);
    expect(second.threadId).toBe(first.threadId);
    expect(second.text).toBe('Thanks. What is the email address you placed order LF-10427 with?');
    const third = await turn(a, 'eve@example.com', first);
    expect(third.text).toBe('I could not find an order LF-10427 placed with eve@example.com. Please check both: they are in your order confirmation email.');
    // A new instance (a restart) reads the same state: the number given three turns before.
    const restarted = instance();
    const fourth = await turn(restarted, 'Sorry, my email is ada@example.com', first);
    expect(fourth.text).toBe('Order **LF-10427** is **shipped**. It travels with UPS.');
    const fifth = await turn(b, 'And LF-55555?', first);
    expect(fifth.text).toBe('I could not find an order LF-55555 placed with ada@example.com. Please check both: they are in your order confirmation email.');

    // The state never reaches the browser.
    for (const { wire } of [first, second, third, fourth, fifth]) {
      expect(wire).not.toContain('awaiting');
      expect(wire).not.toMatch(/event: state/);
    }

    // One key per thread, beside the transcript, with the transcript's TTL.
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const stateKey = `${prefix}value:thread-state:${first.threadId}`;
      const stored = JSON.parse((await client.get(stateKey))!) as { order?: unknown };
      expect(stored.order).toEqual({ awaiting: ['orderNumber', 'email'], orderNumber: 'LF-55555', email: 'ada@example.com' });
      const [stateTtl, transcriptTtl] = await Promise.all([client.ttl(stateKey), client.ttl(`${prefix}thread:${first.threadId}`)]);
      expect(stateTtl).toBeGreaterThan(THREAD_TTL - 5);
      expect(stateTtl).toBeLessThanOrEqual(THREAD_TTL);
      expect(Math.abs(stateTtl - transcriptTtl)).toBeLessThanOrEqual(1);
      expect(await client.lLen(`${prefix}thread:${first.threadId}`)).toBe(10);
    } finally {
      await client.close();
    }
  });
});
