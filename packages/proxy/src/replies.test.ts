import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModel } from '../test/fake-model';
import { startRedis } from '../test/redis-server';
import { sseEvents, type WireEvent } from '../test/sse';
import { createConciergeHandler } from './handler';
import { HttpError } from './http-error';
import { createNodeServer } from './node';
import { createOpenAIProvider } from './openai/openai-provider';
import { createRedisStore } from './redis-store';
import { createMemoryStore, type ProxyStore } from './store';

// Replies that outlive their request, on two instances of the proxy ("A" and "B") that share a
// store: one memory store in this process, or a real redis-server with a client per instance.
// The vendor is an OpenAI-compatible model on loopback that records every call.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const SECRET = 'a-secret-both-instances-share-0123456789';

let model: Awaited<ReturnType<typeof startFakeModel>>;
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  model = await startFakeModel();
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  await model?.close();
  await redis?.stop();
});

afterEach(() => {
  model.settings.words = 12;
  model.settings.delayMs = 0;
});

interface Instance {
  base: string;
  close(): Promise<void>;
}

async function startInstance(store: ProxyStore): Promise<Instance> {
  const handler = createConciergeHandler({
    provider: createOpenAIProvider({ baseUrl: model.url, model: 'test', dir: KB_DIR }),
    store,
    secret: SECRET,
    rateLimit: false,
    onError: () => {},
  });
  const server = createNodeServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/concierge`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Reads a response's SSE events until `stop` says so (then cancels) or the stream ends. */
async function readEvents(response: Response, stop: (events: WireEvent[]) => boolean = () => false): Promise<WireEvent[]> {
  const events: WireEvent[] = [];
  for await (const event of sseEvents(response)) {
    events.push(event);
    if (stop(events)) break;
  }
  return events;
}

const textOf = (events: WireEvent[]) =>
  events
    .filter((event) => event.event === 'delta')
    .map((event) => event.data.text)
    .join('');
const deltas = (count: number) => (events: WireEvent[]) => events.filter((event) => event.event === 'delta').length >= count;

function post(instance: Instance, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${instance.base}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(['memory', 'redis'] as const)('replies on the %s store', (kind) => {
  let a: Instance;
  let b: Instance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    let stores: { a: ProxyStore; b: ProxyStore; close(): Promise<void> };
    if (kind === 'memory') {
      const store = createMemoryStore();
      stores = { a: store, b: store, close: async () => {} };
    }
    else {
      const prefix = `replies-${crypto.randomUUID()}:`;
      const first = createRedisStore({ url: redis.url, prefix });
      const second = createRedisStore({ url: redis.url, prefix });
      stores = { a: first, b: second, close: async () => void (await Promise.all([first.close(), second.close()])) };
    }
    a = await startInstance(stores.a);
    b = await startInstance(stores.b);
    close = async () => {
      await Promise.all([a.close(), b.close()]);
      await stores.close();
    };
  });

  afterAll(() => close());

  it('goes on reading the vendor after the shopper leaves, and saves the whole reply', async () => {
    model.settings.delayMs = 5;
    const before = model.calls.length;
    const key = crypto.randomUUID();
    const events = await readEvents(await post(a, { message: 'What is your return policy?' }, { 'idempotency-key': key }), deltas(2));
    const { threadId, threadToken } = events[0]!.data as { threadId: string; threadToken: string };
    await until(() => model.calls.length > before && model.calls.at(-1)!.finished, 'the vendor to finish');
    const call = model.calls.at(-1)!;
    expect(call.aborted).toBe(false);
    await until(async () => {
      const history = await fetch(`${b.base}/threads/${threadId}`, { headers: { 'concierge-thread-token': threadToken } });
      if (!history.ok) return false;
      const { messages } = (await history.json()) as { messages: { id: string; role: string; text: string; interrupted?: boolean }[] };
      if (messages.length !== 2) return false;
      expect(messages[0]).toMatchObject({ id: key, role: 'user' });
      expect(messages[1]).toMatchObject({ role: 'assistant', text: call.text });
      expect(messages[1]!.interrupted).toBeUndefined();
      return true;
    }, 'the saved transcript');
    expect(model.calls.length).toBe(before + 1);
  });

  it('resumes on the other instance after Last-Event-ID: exactly the rest, live, until done', async () => {
    model.settings.delayMs = 5;
    model.settings.words = 40;
    const before = model.calls.length;
    const key = crypto.randomUUID();
    const first = await readEvents(await post(a, { message: 'Tell me about shipping' }, { 'idempotency-key': key }), deltas(4));
    const last = first.at(-1)!.id;
    const resumed = await fetch(`${b.base}/replies/${key}`, { headers: { accept: 'text/event-stream', 'last-event-id': last } });
    expect(resumed.status).toBe(200);
    const rest = await readEvents(resumed);
    expect(rest.at(-1)!.event).toBe('done');
    expect(model.calls.length).toBe(before + 1);
    expect(textOf(first) + textOf(rest)).toBe(model.calls.at(-1)!.text);
    const ids = [...first, ...rest].map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rest[0]!.event).not.toBe('start');
    // From the start, on either instance, once it is done: the same reply again.
    const again = await readEvents(await fetch(`${a.base}/replies/${key}`, { headers: { accept: 'text/event-stream' } }));
    expect(textOf(again)).toBe(model.calls.at(-1)!.text);
    expect(again.map((event) => event.id)).toEqual(ids);
  });

  it('on one instance, readers that join, resume and leave mid-reply each get exactly their part, pushed live', async () => {
    model.settings.delayMs = 5;
    model.settings.words = 40;
    const before = model.calls.length;
    const key = crypto.randomUUID();
    const body = { message: 'Tell me about returns' };
    // The first reader leaves after three deltas; the reply goes on for the others.
    const leaving = await readEvents(await post(a, body, { 'idempotency-key': key }), deltas(3));
    const [joined, resumed] = await Promise.all([
      post(a, body, { 'idempotency-key': key }).then((response) => readEvents(response)),
      fetch(`${a.base}/replies/${key}`, { headers: { accept: 'text/event-stream', 'last-event-id': leaving[2]!.id } }).then((response) => readEvents(response)),
    ]);
    expect(model.calls.length).toBe(before + 1);
    const { text } = model.calls.at(-1)!;
    expect(textOf(joined)).toBe(text);
    expect(joined[0]!.event).toBe('start');
    expect(joined.at(-1)!.event).toBe('done');
    // Exactly the events after the id, then live until done: no gap and no repeat.
    const ids = joined.map((event) => event.id);
    expect(resumed.map((event) => event.id)).toEqual(ids.slice(ids.indexOf(leaving[2]!.id) + 1));
    expect(textOf(leaving.slice(0, 3)) + textOf(resumed)).toBe(text);
  });

  it('a repeated request joins the reply in flight, gets the finished one afterwards, and never calls the vendor again', async () => {
    model.settings.delayMs = 5;
    const before = model.calls.length;
    const key = crypto.randomUUID();
    const body = { message: 'Do you ship abroad?', locale: 'en' };
    const [one, two] = await Promise.all([
      post(a, body, { 'idempotency-key': key }).then((response) => readEvents(response)),
      post(b, body, { 'idempotency-key': key }).then((response) => readEvents(response)),
    ]);
    expect(model.calls.length).toBe(before + 1);
    const { text } = model.calls.at(-1)!;
    expect(textOf(one)).toBe(text);
    expect(textOf(two)).toBe(text);
    expect(two.at(-1)).toEqual(one.at(-1));

    const later = await readEvents(await post(b, { ...body, stream: true }, { 'idempotency-key': key }));
    expect(textOf(later)).toBe(text);
    const json = await post(a, { ...body, stream: false }, { 'idempotency-key': key });
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ text, threadId: one[0]!.data.threadId });
    expect(model.calls.length).toBe(before + 1);

    const other = await post(b, { ...body, message: 'Something else' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: { code: 'invalid_request', field: 'Idempotency-Key' } });
    expect(model.calls.length).toBe(before + 1);
  });

  it('Stop on the other instance aborts the vendor, ends every reader with no event after it, and frees the key', async () => {
    model.settings.delayMs = 20;
    model.settings.words = 200;
    const before = model.calls.length;
    const key = crypto.randomUUID();
    const response = await post(a, { message: 'Tell me everything' }, { 'idempotency-key': key });
    const reader = readEvents(response);
    await until(() => model.calls.length > before, 'the vendor call');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stop = await fetch(`${b.base}/replies/${key}/stop`, { method: 'POST' });
    expect(await stop.json()).toEqual({ stopped: true });
    const events = await reader;
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'aborted' } });
    await until(() => model.calls.at(-1)!.aborted, 'the vendor request to be aborted', 2000);
    expect(model.calls.at(-1)!.finished).toBe(false);
    const shown = textOf(events);
    expect(shown.length).toBeGreaterThan(0);
    // Nothing after the Stop: a reader coming later finds no reply under the key.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${b.base}/replies/${key}`, { headers: { accept: 'text/event-stream' } })).status).toBe(404);
    const { threadId, threadToken } = events[0]!.data as { threadId: string; threadToken: string };
    const history = await fetch(`${a.base}/threads/${threadId}`, { headers: { 'concierge-thread-token': threadToken } });
    const { messages } = (await history.json()) as { messages: { text: string; interrupted?: boolean }[] };
    expect(messages[1]).toMatchObject({ interrupted: true });
    expect(messages[1]!.text.startsWith(shown)).toBe(true);
    // The turn can be sent again (Retry): a new reply.
    model.settings.delayMs = 0;
    model.settings.words = 5;
    const retried = await readEvents(await post(b, { message: 'Tell me everything' }, { 'idempotency-key': key }));
    expect(model.calls.length).toBe(before + 2);
    expect(textOf(retried)).toBe(model.calls.at(-1)!.text);
  });

  it('a Stop that comes before its turn stops that reply as it starts; the turn sent again later is answered', async () => {
    model.settings.delayMs = 20;
    model.settings.words = 200;
    const before = model.calls.length;
    const key = crypto.randomUUID();
    // The shopper pressed Stop while the turn's request was still on its way (another connection).
    const stop = await fetch(`${b.base}/replies/${key}/stop`, { method: 'POST' });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ stopped: true });
    const answered = await post(a, { message: 'Tell me everything' }, { 'idempotency-key': key });
    expect(answered.status).toBe(200);
    const events = await readEvents(answered);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'aborted' } });
    // The first token does not wait for the Stop's mark to be read: a word may come before it.
    expect(events.filter((event) => event.event === 'delta').length).toBeLessThan(3);
    if (model.calls.length > before) {
      await until(() => model.calls.at(-1)!.aborted, 'the vendor request to be aborted', 2000);
      expect(model.calls.at(-1)!.finished).toBe(false);
    }
    // The Stop is used up and the key freed: the same turn sent again gets a whole reply.
    model.settings.delayMs = 0;
    model.settings.words = 5;
    await until(async () => (await fetch(`${a.base}/replies/${key}`)).status === 404, 'the key to be freed');
    const again = await readEvents(await post(b, { message: 'Tell me everything' }, { 'idempotency-key': key }));
    expect(again.at(-1)!.event).toBe('done');
    expect(textOf(again)).toBe(model.calls.at(-1)!.text);
  });

  it('a vendor failure before the first event answers its status and frees the key for the retry', async () => {
    const before = model.calls.length;
    const key = crypto.randomUUID();
    model.settings.failNext = 429;
    const refused = await post(a, { message: 'Hello' }, { 'idempotency-key': key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/json');
    const answered = await readEvents(await post(b, { message: 'Hello' }, { 'idempotency-key': key }));
    expect(textOf(answered)).toBe(model.calls.at(-1)!.text);
    expect(model.calls.length).toBe(before + 1);
  });

  it('resuming checks its input: an unknown key, a thread token missing, another reply\'s event id, a malformed key', async () => {
    expect((await fetch(`${b.base}/replies/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${b.base}/replies/bad%20key`)).status).toBe(400);
    expect((await fetch(`${b.base}/replies/${crypto.randomUUID()}/stop`)).status).toBe(405);
    expect((await fetch(`${b.base}/replies/bad%20key/stop`, { method: 'POST' })).status).toBe(400);
    const bad = await post(a, { message: 'Hi' }, { 'idempotency-key': 'short' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'Idempotency-Key' } });

    const first = await readEvents(await post(a, { message: 'Hi' }, { 'idempotency-key': crypto.randomUUID() }));
    const { threadId, threadToken } = first[0]!.data as { threadId: string; threadToken: string };
    const key = crypto.randomUUID();
    const owned = { 'concierge-thread-token': threadToken };
    const second = await readEvents(await post(a, { message: 'And then?', threadId }, { 'idempotency-key': key, ...owned }));
    expect((await fetch(`${b.base}/replies/${key}`)).status).toBe(404);
    expect((await fetch(`${b.base}/replies/${key}/stop`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${b.base}/replies/${key}`, { headers: { ...owned, 'last-event-id': `${crypto.randomUUID()}/1-0` } })).status).toBe(404);
    // An event id of this reply that the proxy never gives is refused, naming the header, not a stream that fails.
    const replyId = second[0]!.id.split('/')[0]!;
    for (const forged of [`${replyId}/not-an-id`, `${replyId}/`, `${replyId}/1-2-3`]) {
      const refused = await fetch(`${b.base}/replies/${key}`, { headers: { ...owned, 'last-event-id': forged } });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { code: 'invalid_request', field: 'Last-Event-ID' } });
    }
    const resumed = await fetch(`${b.base}/replies/${key}`, { headers: owned });
    expect(resumed.status).toBe(200);
    expect((await readEvents(resumed)).at(-1)!.event).toBe('done');
  });

  if (kind === 'redis') {
    it('keeps a key 24 hours and a reply\'s events 10 minutes after its end', async () => {
      const key = crypto.randomUUID();
      const events = await readEvents(await post(a, { message: 'Hi' }, { 'idempotency-key': key }));
      const replyId = events[0]!.id.split('/')[0]!;
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        const keys = await client.keys(`*${key}*`);
        expect(keys).toHaveLength(1);
        expect(await client.ttl(keys[0]!)).toBeGreaterThan(86_400 - 10);
        const logs = await client.keys(`*log:reply:${replyId}`);
        expect(logs).toHaveLength(1);
        const ttl = await client.ttl(logs[0]!);
        expect(ttl).toBeGreaterThan(590);
        expect(ttl).toBeLessThanOrEqual(600);
        expect(await client.keys(`*lease:${replyId}`)).toEqual([]);
      } finally {
        await client.close();
      }
    });
  }
});

describe("a reply's lease", () => {
  /** A store whose first lease write waits for `release` (or fails with `failure`). */
  function slowLease(failure?: HttpError) {
    const base = createMemoryStore();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    const store: ProxyStore = {
      ...base,
      async set(key, value, ttlSeconds) {
        if (key.startsWith('lease:') && !asked++) {
          await held;
          if (failure) throw failure;
        }
        return base.set(key, value, ttlSeconds);
      },
    };
    return { store, release, base };
  }

  it('is taken while the vendor is asked, and nothing reaches the shopper before it is held', async () => {
    const { store, release } = slowLease();
    const instance = await startInstance(store);
    try {
      const before = model.calls.length;
      const response = post(instance, { message: 'Hello' });
      await until(() => model.calls.length > before, 'the vendor call');
      let answered = false;
      void response.then(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answered).toBe(false);
      release();
      const events = await readEvents(await response);
      expect(events[0]!.event).toBe('start');
      expect(textOf(events)).toBe(model.calls.at(-1)!.text);
    } finally {
      await instance.close();
    }
  });

  it('a Stop while it is being taken ends the reply stopped and cuts the vendor call', async () => {
    const { store, release } = slowLease();
    const instance = await startInstance(store);
    try {
      model.settings.delayMs = 250;
      const before = model.calls.length;
      const key = crypto.randomUUID();
      const response = post(instance, { message: 'Hello' }, { 'idempotency-key': key });
      await until(() => model.calls.length > before, 'the vendor call');
      const stopped = await fetch(`${instance.base}/replies/${key}/stop`, { method: 'POST' });
      expect(stopped.status).toBe(200);
      release();
      const events = await readEvents(await response);
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'aborted' } });
      expect(textOf(events)).toBe('');
      await until(() => model.calls.at(-1)!.aborted, 'the vendor call to be cut', 3000);
    } finally {
      model.settings.delayMs = 0;
      await instance.close();
    }
  });

  it('that cannot be taken fails the request with its 503 and cuts the vendor call; the turn can be sent again', async () => {
    const { store, release } = slowLease(new HttpError(503, 'upstream_unavailable', 'The store is away.'));
    const instance = await startInstance(store);
    try {
      // Slower than the second the proxy lets a vendor's body drain once it stopped reading.
      model.settings.delayMs = 250;
      const before = model.calls.length;
      const key = crypto.randomUUID();
      const response = post(instance, { message: 'Hello' }, { 'idempotency-key': key });
      await until(() => model.calls.length > before, 'the vendor call');
      release();
      const refused = await response;
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { code: 'upstream_unavailable' } });
      await until(() => model.calls.at(-1)!.aborted, 'the vendor call to be cut', 3000);
      model.settings.delayMs = 0;
      // The key is free again: the same turn is answered once the store works.
      const answered = await readEvents(await post(instance, { message: 'Hello' }, { 'idempotency-key': key }));
      expect(textOf(answered)).toBe(model.calls.at(-1)!.text);
    } finally {
      await instance.close();
    }
  });
});

describe("a turn's key bound to its reply", () => {
  /** A memory store whose writes binding a key to a reply wait `delayMs`. */
  function slowBinding(delayMs: number) {
    const base = createMemoryStore();
    const store: ProxyStore = {
      ...base,
      async set(key, value, ttlSeconds) {
        if (key.startsWith('key:') && (value as { replyId?: string }).replyId) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return base.set(key, value, ttlSeconds);
      },
    };
    return store;
  }

  it('is bound while the vendor is asked, and a repeat meanwhile joins the same reply', async () => {
    const instance = await startInstance(slowBinding(300));
    try {
      const before = model.calls.length;
      const key = crypto.randomUUID();
      const first = post(instance, { message: 'Hello' }, { 'idempotency-key': key });
      await until(() => model.calls.length > before, 'the vendor call', 250);
      const repeat = post(instance, { message: 'Hello' }, { 'idempotency-key': key });
      const [one, two] = await Promise.all([first.then((response) => readEvents(response)), repeat.then((response) => readEvents(response))]);
      expect(textOf(one)).toBe(model.calls.at(-1)!.text);
      expect(textOf(two)).toBe(textOf(one));
      expect(model.calls.length).toBe(before + 1);
    } finally {
      await instance.close();
    }
  });

  it('a Stop while the key is not yet bound stops the reply (it used to answer 404 and the reply went on)', async () => {
    const instance = await startInstance(slowBinding(300));
    try {
      model.settings.delayMs = 50;
      model.settings.words = 100;
      const before = model.calls.length;
      const key = crypto.randomUUID();
      const response = post(instance, { message: 'Hello' }, { 'idempotency-key': key });
      await until(() => model.calls.length > before, 'the vendor call', 250);
      const stop = await fetch(`${instance.base}/replies/${key}/stop`, { method: 'POST' });
      expect(stop.status).toBe(200);
      expect(await stop.json()).toEqual({ stopped: true });
      const events = await readEvents(await response);
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'aborted' } });
      expect(events.filter((event) => event.event === 'delta').length).toBeLessThan(3);
      await until(() => model.calls.at(-1)!.aborted, 'the vendor request to be aborted', 3000);
      expect(model.calls.at(-1)!.finished).toBe(false);
    } finally {
      model.settings.delayMs = 0;
      await instance.close();
    }
  });

  it('a Stop of a continuing turn not yet bound needs its thread token: without it 404, and the reply goes on', async () => {
    const instance = await startInstance(slowBinding(300));
    try {
      const first = await readEvents(await post(instance, { message: 'Hi' }, { 'idempotency-key': crypto.randomUUID() }));
      const { threadId, threadToken } = first[0]!.data as { threadId: string; threadToken: string };
      model.settings.delayMs = 5;
      const before = model.calls.length;
      const key = crypto.randomUUID();
      const owned = { 'concierge-thread-token': threadToken };
      const response = post(instance, { message: 'And then?', threadId }, { 'idempotency-key': key, ...owned });
      await until(() => model.calls.length > before, 'the vendor call', 250);
      const refused = await fetch(`${instance.base}/replies/${key}/stop`, { method: 'POST' });
      expect(refused.status).toBe(404);
      const events = await readEvents(await response);
      expect(events.at(-1)!.event).toBe('done');
      expect(textOf(events)).toBe(model.calls.at(-1)!.text);
    } finally {
      model.settings.delayMs = 0;
      await instance.close();
    }
  });

  it('is freed after a vendor failure even when the failure comes before the binding', async () => {
    const instance = await startInstance(slowBinding(200));
    try {
      const before = model.calls.length;
      const key = crypto.randomUUID();
      model.settings.failNext = 429;
      expect((await post(instance, { message: 'Hello' }, { 'idempotency-key': key })).status).toBe(429);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answered = await readEvents(await post(instance, { message: 'Hello' }, { 'idempotency-key': key }));
      expect(textOf(answered)).toBe(model.calls.at(-1)!.text);
      expect(model.calls.length).toBe(before + 1);
      expect(model.failures()).toBeGreaterThan(0);
    } finally {
      await instance.close();
    }
  });
});
