import { type ChatSession, createChatSession, createHttpTransport } from '@concierge/core';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../test/fault-proxy';
import { startFakeModel } from '../test/fake-model';
import { createConciergeHandler } from './handler';
import { createNodeServer } from './node';
import { createOpenAIProvider } from './openai/openai-provider';

// The whole path under network faults: the browser client (core's session and HTTP transport) →
// a fault proxy → the Concierge proxy → a fault proxy → an OpenAI-compatible model, all real
// sockets on loopback. Whatever the cut, the shopper ends with exactly the vendor's text, and
// the vendor was asked once.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const MESSAGES = 'POST /api/concierge/messages';
const COMPLETIONS = 'POST /v1/chat/completions';
const UPSTREAM_TIMEOUT_MS = 400;

let model: Awaited<ReturnType<typeof startFakeModel>>;
/** Between the client and the proxy. */
let front: FaultProxy;
/** Between the proxy and the model. */
let back: FaultProxy;
let closeServer: () => void;

beforeAll(async () => {
  model = await startFakeModel();
  back = await startFaultProxy({ port: model.port });
  const handler = createConciergeHandler({
    provider: createOpenAIProvider({ baseUrl: `${back.url}/v1`, model: 'test', dir: KB_DIR, timeoutMs: UPSTREAM_TIMEOUT_MS, log: () => {} }),
    rateLimit: false,
    onError: () => {},
  });
  const server = createNodeServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front = await startFaultProxy({ port: (server.address() as AddressInfo).port });
  closeServer = () => (server.closeAllConnections(), server.close());
});

afterAll(async () => {
  await front?.close();
  await back?.close();
  closeServer?.();
  await model?.close();
});

function session(): ChatSession {
  const created = createChatSession({
    transport: createHttpTransport({ endpoint: `${front.url}/api/concierge` }),
    storage: null,
    connectivity: { isOnline: () => true, subscribe: () => () => {} },
    scheduleFrame: (callback) => callback(),
    // Automatic retries at once (full jitter drawn at 0), so the test does not wait on backoff.
    random: () => 0,
  });
  created.connect();
  return created;
}

/** Asks one question through the faults; the shopper's final transcript and the vendor calls it took. */
async function ask(question = 'What is your return policy?') {
  const before = model.calls.length;
  const chat = session();
  await Promise.race([
    chat.send(question),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the turn did not settle in 20 s')), 20_000)),
  ]);
  const { messages, error } = chat.store.getState();
  return { messages, error, calls: model.calls.slice(before), chat };
}

describe('a cut between the shopper and the proxy', () => {
  it('at every byte offset of a short streamed reply: the shopper gets exactly the vendor\'s text, and the vendor is called once', async () => {
    model.settings.words = 4;
    let offsets = 0;
    for (let offset = 0; offset < 10_000; offset++) {
      const { triggered } = front.stats();
      front.arm(MESSAGES, offset % 2 ? { cutAfterBytes: offset } : { resetAfterBytes: offset });
      const { messages, calls } = await ask();
      expect(calls, `offset ${offset}`).toHaveLength(1);
      expect(messages.map((message) => `${message.role}:${message.status ?? '-'}`), `offset ${offset}`).toEqual(['user:done', 'assistant:-']);
      expect(messages[1]!.text, `offset ${offset}`).toBe(calls[0]!.text);
      // An offset past the whole response cuts nothing: every offset of it has been tried.
      if (front.stats().triggered === triggered) break;
      offsets++;
    }
    expect(offsets).toBeGreaterThan(500);
  }, 240_000);

  it('at 200 random offsets of a long streamed reply, with the vendor still streaming: exact text, one vendor call each', async () => {
    model.settings.words = 400;
    model.settings.delayMs = 0;
    // The length of such a reply on the wire, measured on one that nothing cuts.
    front.arm(MESSAGES, { cutAfterBytes: 10_000_000 });
    await ask('Tell me everything about shipping');
    const length = front.stats().armedBytes;
    expect(length).toBeGreaterThan(20_000);
    const { triggered } = front.stats();
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const offset = Math.floor(random() * length);
      front.arm(MESSAGES, { cutAfterBytes: offset });
      const { messages, calls } = await ask('Tell me everything about shipping');
      expect(calls, `offset ${offset}`).toHaveLength(1);
      expect(messages[1]?.text, `offset ${offset}`).toBe(calls[0]!.text);
    }
    // Every one of the 200 cuts fell inside the reply.
    expect(front.stats().triggered).toBe(triggered + 200);
  }, 240_000);

  it('on a slow, lossy link (latency, a bandwidth cap, then a cut, then a reset on the resume): exact text, one vendor call', async () => {
    model.settings.words = 60;
    model.settings.delayMs = 2;
    front.always({ latencyMs: 15, bytesPerSecond: 40_000 });
    try {
      front.arm(MESSAGES, { cutAfterBytes: 1500, latencyMs: 15, bytesPerSecond: 40_000 });
      front.arm('GET /api/concierge/replies/', { resetAfterBytes: 900, latencyMs: 15, bytesPerSecond: 40_000 });
      const { messages, calls } = await ask();
      expect(front.stats().triggered).toBeGreaterThan(0);
      expect(calls).toHaveLength(1);
      expect(messages[1]!.text).toBe(calls[0]!.text);
    } finally {
      front.always(null);
      model.settings.delayMs = 0;
    }
  }, 60_000);
});

describe('faults between the proxy and the vendor', () => {
  it('latency and a bandwidth cap on the vendor\'s stream change nothing in the text', async () => {
    model.settings.words = 50;
    back.always({ latencyMs: 10, bytesPerSecond: 30_000 });
    try {
      const { messages, calls } = await ask();
      expect(calls).toHaveLength(1);
      expect(messages[1]!.text).toBe(calls[0]!.text);
    } finally {
      back.always(null);
    }
  }, 30_000);

  it('a vendor connection reset mid-reply ends the turn with its partial text marked interrupted and Retry; the vendor is not asked again by itself', async () => {
    model.settings.words = 200;
    back.arm(COMPLETIONS, { resetAfterBytes: 3000 });
    const { messages, calls, error } = await ask();
    expect(calls).toHaveLength(1);
    expect(error?.code).toBe('upstream_unavailable');
    expect(messages.map((message) => `${message.role}:${message.status}`)).toEqual(['user:failed', 'assistant:interrupted']);
    expect(messages[1]!.text.length).toBeGreaterThan(0);
    expect(calls[0]!.text.startsWith(messages[1]!.text)).toBe(true);
  });

  it('a vendor that stalls mid-reply gives the shopper upstream_timeout within the configured bound, and its socket is closed', async () => {
    model.settings.words = 200;
    back.arm(COMPLETIONS, { stallAfterBytes: 2000 });
    const opened = back.stats().opened;
    const started = Date.now();
    const { messages, error } = await ask();
    const elapsed = Date.now() - started;
    expect(error?.code).toBe('upstream_timeout');
    expect(messages[1]?.status).toBe('interrupted');
    expect(elapsed).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(UPSTREAM_TIMEOUT_MS + 3000);
    expect(back.stats().opened).toBe(opened + 1);
    for (let tries = 0; back.stats().open > 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(back.stats().open).toBe(0);
  });
});

describe('Stop and reload through the client', () => {
  it('Stop stops the UI at once and aborts the vendor\'s request; nothing arrives after it', async () => {
    model.settings.words = 300;
    model.settings.delayMs = 10;
    try {
      const before = model.calls.length;
      const chat = session();
      const settled = chat.send('Tell me everything');
      for (let tries = 0; !chat.store.getState().streaming?.text && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      chat.stop();
      await settled;
      const shown = chat.store.getState().messages[1]!;
      expect(shown.status).toBe('interrupted');
      for (let tries = 0; !model.calls.at(-1)!.aborted && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(model.calls.at(-1)!.aborted).toBe(true);
      expect(model.calls.length).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(chat.store.getState().messages[1]).toBe(shown);
    } finally {
      model.settings.delayMs = 0;
    }
  });

  it('a reload mid-reply shows the reply from its start, then the rest, asking the vendor once', async () => {
    model.settings.words = 200;
    model.settings.delayMs = 5;
    try {
      const memory = () => {
        const data = new Map<string, string>();
        return { data, getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), removeItem: (key: string) => void data.delete(key) };
      };
      // Each page has its own storage key, so the two do not talk as tabs would; the second
      // starts from what the first had stored when it went away.
      const open = (storageKey: string, storage: ReturnType<typeof memory>, fetch: typeof globalThis.fetch) => {
        const created = createChatSession({
          transport: createHttpTransport({ endpoint: `${front.url}/api/concierge`, fetch }),
          storage,
          storageKey,
          connectivity: { isOnline: () => true, subscribe: () => () => {} },
          scheduleFrame: (callback) => callback(),
        });
        return { chat: created, disconnect: created.connect() };
      };
      const before = model.calls.length;
      const gone = new AbortController();
      const firstStorage = memory();
      const first = open('page-1', firstStorage, (input, init) => fetch(input, { ...init, signal: AbortSignal.any([gone.signal, ...(init?.signal ? [init.signal] : [])]) }));
      void first.chat.send('Tell me everything');
      for (let tries = 0; (first.chat.store.getState().streaming?.text.length ?? 0) < 40 && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
      const partial = first.chat.store.getState().streaming?.text ?? '';
      expect(partial.length, JSON.stringify(first.chat.store.getState())).toBeGreaterThanOrEqual(40);
      // The page goes away: its connections drop, and what it had stored is what the next one finds.
      const secondStorage = memory();
      secondStorage.setItem('page-2', firstStorage.getItem('page-1')!);
      gone.abort();
      first.disconnect();
      const second = open('page-2', secondStorage, fetch);
      expect(second.chat.store.getState().messages.map((message) => message.status)).toEqual(['queued']);
      for (let tries = 0; (second.chat.store.getState().streaming?.text.length ?? 0) < partial.length && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(second.chat.store.getState().streaming!.text.startsWith(partial)).toBe(true);
      for (let tries = 0; second.chat.store.getState().messages.length < 2 && tries < 1000; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(second.chat.store.getState().messages[1]!.text).toBe(model.calls.at(-1)!.text);
      expect(model.calls.length).toBe(before + 1);
      second.disconnect();
    } finally {
      model.settings.delayMs = 0;
    }
  });
});
