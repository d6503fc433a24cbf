import type { ThreadMessage } from '@concierge/core';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis } from '../test/redis-server';
import { createRedisStore } from './redis-store';
import { createMemoryStore, type ProxyStore } from './store';

// One contract, two stores: everything the proxy remembers behaves the same in memory and on a
// real Redis (Debian's redis-server on a loopback port), and on Redis it is shared by instances.

let redis: Awaited<ReturnType<typeof startRedis>>;
const opened: ProxyStore[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await redis?.stop();
});

interface Subject {
  /** Two handles on one store, as two proxy instances have. */
  pair(): [ProxyStore, ProxyStore];
  /** Lets `seconds` pass for expiry. */
  pass(seconds: number): Promise<void>;
}

let clock = 1_000_000;
const memory: Subject = {
  pair() {
    const store = createMemoryStore({ maxMessagesPerThread: 3, now: () => clock });
    opened.push(store);
    return [store, store];
  },
  async pass(seconds) {
    clock += seconds * 1000;
  },
};

let prefixes = 0;
const onRedis: Subject = {
  pair() {
    const prefix = `test${prefixes++}:`;
    const stores: [ProxyStore, ProxyStore] = [
      createRedisStore({ url: redis.url, prefix, maxMessagesPerThread: 3 }),
      createRedisStore({ url: redis.url, prefix, maxMessagesPerThread: 3 }),
    ];
    opened.push(...stores);
    return stores;
  },
  pass: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100)),
};

const message = (id: string): ThreadMessage => ({ id, role: 'user', text: `text ${id}`, createdAt: '2026-11-23T10:00:00.000Z' });

describe.each([
  ['in memory', memory],
  ['on Redis', onRedis],
])('the store %s', (_, subject) => {
  it('keeps a thread’s last messages, readable from any instance', async () => {
    const [one, two] = subject.pair();
    expect(await two.readMessages('t1')).toBeUndefined();
    await one.appendMessages('t1', [message('a'), message('b')], 60);
    await two.appendMessages('t1', [message('c'), message('d')], 60);
    expect((await one.readMessages('t1'))?.map((item) => item.id)).toEqual(['b', 'c', 'd']);
    expect(await two.readMessages('t1')).toEqual([message('b'), message('c'), message('d')]);
  });

  it('stores values, and claims a key for one instance only', async () => {
    const [one, two] = subject.pair();
    await one.set('faq:p1', { status: 'ready', faqs: [{ id: 1 }] }, 60);
    expect(await two.get('faq:p1')).toEqual({ status: 'ready', faqs: [{ id: 1 }] });
    expect(await two.get('faq:none')).toBeUndefined();
    // Several at once, in the order asked, as `get` gives them.
    await one.set('stop:r2', 1, 60);
    expect(await two.getMany!(['faq:p1', 'faq:none', 'stop:r2'])).toEqual([{ status: 'ready', faqs: [{ id: 1 }] }, undefined, 1]);
    expect(await two.getMany!([])).toEqual([]);
    const claims = await Promise.all([one.claim('generating:p1', 'x', 60), two.claim('generating:p1', 'y', 60), one.claim('generating:p1', 'z', 60)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await two.delete('generating:p1');
    expect(await one.claim('generating:p1', 'again', 60)).toBe(true);
  });

  it('logs events in order and reads exactly those after a given id, from any instance', async () => {
    const [one, two] = subject.pair();
    const ids: string[] = [];
    for (const data of ['start', 'delta 1', 'delta 2', 'done']) ids.push(await one.appendEvent('reply-1', data, 60));
    expect((await two.readEvents('reply-1', null)).map((event) => event.data)).toEqual(['start', 'delta 1', 'delta 2', 'done']);
    expect(await two.readEvents('reply-1', ids[1]!)).toEqual([
      { id: ids[2], data: 'delta 2' },
      { id: ids[3], data: 'done' },
    ]);
    expect(await one.readEvents('reply-1', ids[3]!)).toEqual([]);
    expect(await one.readEvents('no-such-reply', null)).toEqual([]);
    // An id this log never gave (another store's, or forged) reads nothing rather than all of it.
    expect(await two.readEvents('reply-1', '9999999999999-0')).toEqual([]);
  });

  it('counts a rate limit once across instances', async () => {
    const [one, two] = subject.pair();
    const options = { keyPrefix: 'limit', points: 3, duration: 60 };
    const limiters = [one.limiter(options), two.limiter(options), one.limiter(options)];
    const results = await Promise.allSettled(Array.from({ length: 7 }, (_, index) => limiters[index % 3]!.consume('client-1')));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
  });

  it('lets every entry expire', async () => {
    const [one, two] = subject.pair();
    await one.appendMessages('short', [message('a')], 1);
    await one.set('short', 1, 1);
    await one.appendEvent('short', 'x', 1);
    await one.set('long', 1, 60);
    await subject.pass(1);
    expect(await two.readMessages('short')).toBeUndefined();
    expect(await two.get('short')).toBeUndefined();
    expect(await two.readEvents('short', null)).toEqual([]);
    expect(await two.get('long')).toBe(1);
  });
});

describe('the memory store', () => {
  it('appends to a log in place, and starts it again once it was evicted or expired', async () => {
    let now = 0;
    const store = createMemoryStore({ maxEntries: 2, now: () => now });
    opened.push(store);
    expect(await store.appendEvent('a', 'a1', 60)).toBe('0-1');
    expect(await store.appendEvent('a', 'a2', 60)).toBe('0-2');
    // Two more entries push the log out (the oldest goes first).
    await store.set('x', 1, 60);
    await store.set('y', 1, 60);
    expect(await store.readEvents('a', null)).toEqual([]);
    expect(await store.appendEvent('a', 'again', 60)).toBe('0-1');
    expect((await store.readEvents('a', null)).map((event) => event.data)).toEqual(['again']);
    now += 61_000;
    expect(await store.readEvents('a', null)).toEqual([]);
    expect(await store.appendEvent('a', 'later', 60)).toBe('0-1');
    expect((await store.readEvents('a', null)).map((event) => event.data)).toEqual(['later']);
  });
});

describe('a reply’s producer on the memory store', () => {
  it('names each event at once, reads the same once it ended (kept as one buffer), and takes a Stop after its end', async () => {
    const store = createMemoryStore();
    opened.push(store);
    const writer = store.openLog!('reply:r1', 60);
    const events = ['{"type":"start"}', '{"type":"delta","text":"a\\nb"}', '{"type":"done"}'];
    expect(events.map((data) => writer.append(data))).toEqual(['0-1', '0-2', '0-3']);
    expect(await store.readEvents('reply:r1', '0-1')).toEqual([
      { id: '0-2', data: events[1] },
      { id: '0-3', data: events[2] },
    ]);
    await writer.end();
    expect(await store.readEvents('reply:r1', null)).toEqual(events.map((data, index) => ({ id: `0-${index + 1}`, data })));
    expect(await store.readEvents('reply:r1', '0-3')).toEqual([]);
    // A Stop from another handler on this store, after the writer ended.
    expect(await store.appendEvent('reply:r1', '{"type":"error"}', 60)).toBe('0-4');
    expect((await store.readEvents('reply:r1', '0-2')).map((event) => event.id)).toEqual(['0-3', '0-4']);
  });
});

describe('a reply’s producer on the Redis store', () => {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const entries = async (name: string) => {
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      return await raw.xLen(name);
    } finally {
      await raw.close();
    }
  };
  /** A producing instance and another one on the same Redis, connected. */
  const instances = async (prefix: string, logFlushMs: number) => {
    const onError = vi.fn();
    const producer = createRedisStore({ url: redis.url, prefix, logFlushMs, onError });
    const elsewhere = createRedisStore({ url: redis.url, prefix });
    opened.push(producer, elsewhere);
    await producer.set('connected', 1, 60);
    return { producer, elsewhere, onError };
  };

  it('names each event at once, sends them in batches, and every instance reads them event by event after any id', async () => {
    const { producer, elsewhere, onError } = await instances('batches:', 100);
    const log = producer.openLog!('reply-1', 60);
    expect(['start', 'delta 1', 'delta 2'].map((data) => log.append(data))).toEqual(['0-1', '0-2', '0-3']);
    await pause(250);
    expect(log.append('delta 3')).toBe('0-4');
    expect(log.append('done')).toBe('0-5');
    // A reader elsewhere whose cursor is ahead of what was sent (the producer's readers saw it
    // first) gets nothing yet, then exactly the rest once the batch is sent.
    expect(await elsewhere.readEvents('reply-1', '0-4')).toEqual([]);
    await log.end();
    expect(await elsewhere.readEvents('reply-1', '0-4')).toEqual([{ id: '0-5', data: 'done' }]);
    expect((await elsewhere.readEvents('reply-1', null)).map((event) => event.data)).toEqual(['start', 'delta 1', 'delta 2', 'delta 3', 'done']);
    // After an id in the middle of a batch: exactly the events after it.
    expect(await elsewhere.readEvents('reply-1', '0-2')).toEqual([
      { id: '0-3', data: 'delta 2' },
      { id: '0-4', data: 'delta 3' },
      { id: '0-5', data: 'done' },
    ]);
    expect(await elsewhere.readEvents('reply-1', '0-5')).toEqual([]);
    // Two batches in the stream, not five entries.
    expect(await entries('batches:log:reply-1')).toBe(2);
    expect(onError).not.toHaveBeenCalled();
  });

  it('puts a Stop from another instance after everything the producer sent, and leaves out what the producer sends after it', async () => {
    const { producer, elsewhere, onError } = await instances('stops:', 20);
    const log = producer.openLog!('reply-2', 60);
    log.append('start');
    log.append('delta 1');
    await pause(80);
    const stopped = await elsewhere.appendEvent('reply-2', 'stopped', 60);
    log.append('too late');
    await log.end();
    expect((await producer.readEvents('reply-2', null)).map((event) => event.data)).toEqual(['start', 'delta 1', 'stopped']);
    expect(await elsewhere.readEvents('reply-2', '0-2')).toEqual([{ id: stopped, data: 'stopped' }]);
    // Refused after the Stop, as it should be: not a failure to report.
    expect(onError).not.toHaveBeenCalled();
  });

  it('says so when Redis could not take a batch', async () => {
    const onError = vi.fn();
    const down = await startRedis();
    const producer = createRedisStore({ url: down.url, prefix: 'down:', logFlushMs: 5, commandTimeoutMs: 300, onError });
    opened.push(producer);
    await producer.set('connected', 1, 60);
    const log = producer.openLog!('reply-3', 60);
    down.pause();
    expect(log.append('start')).toBe('0-1');
    await expect(log.end()).rejects.toThrow(/did not answer/);
    expect(onError).toHaveBeenCalledTimes(1);
    down.resume();
    await down.stop();
  });
});

describe('the Redis store when Redis goes away', () => {
  it('fails the commands of a streaming reply within the bound when Redis hangs, and works again after', async () => {
    const server = await startRedis();
    const store = createRedisStore({ url: server.url, commandTimeoutMs: 300, onError: () => {} });
    opened.push(store);
    await store.appendEvent('hung', 'first', 60);
    server.pause();
    try {
      const started = Date.now();
      const failures = await Promise.all([
        Promise.resolve(store.appendEvent('hung', 'second', 60)).catch((error: unknown) => error),
        store.readEvents('hung', null).catch((error: unknown) => error),
        store.get('k').catch((error: unknown) => error),
      ]);
      for (const failure of failures) expect(failure).toMatchObject({ status: 503, code: 'upstream_unavailable' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      server.resume();
    }
    await vi.waitFor(async () => expect((await store.readEvents('hung', null)).map((event) => event.data)).toContain('first'), { timeout: 5000 });
    await server.stop();
  }, 30_000);

  it('fails each command at once with a 503 JSON error, and works again when Redis is back', async () => {
    const server = await startRedis();
    const errors: unknown[] = [];
    const store = createRedisStore({ url: server.url, onError: (error) => errors.push(error) });
    opened.push(store);
    await store.set('k', 1, 60);
    await server.stop();
    const failure = await store.get('k').catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 503, code: 'upstream_unavailable' });
    const response = (failure as { toResponse(): Response }).toResponse();
    expect(response.headers.get('retry-after')).toBe('2');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
    expect(errors.length).toBeGreaterThan(0);

    const back = await startRedis(server.port);
    try {
      let value: unknown;
      for (let attempt = 0; attempt < 50 && value === undefined; attempt++) {
        await store.set('k', 2, 60).catch(() => {});
        value = await store.get('k').catch(() => undefined);
        if (value === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(value).toBe(2);
    } finally {
      await back.stop();
    }
  }, 30_000);
});
