import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Connectivity } from './connectivity';
import { ConciergeError } from './errors';
import type { SessionStorage } from './persistence';
import type { SendMessageRequest, StreamEvent, ThreadHistory } from './protocol';
import { type ChatSessionOptions, createChatSession } from './session';
import type { RequestOptions, Transport } from './transport';

type Scripted = StreamEvent | Error | 'end';

/** One request the transport received; the test pushes its reply event by event. */
interface Call {
  request: SendMessageRequest;
  options: RequestOptions;
  push(event: Scripted): void;
}

/** A transport that replays what the test pushes, like a proxy streaming slowly. Each request has its own script. */
function scriptedTransport(history?: (threadId: string) => ThreadHistory) {
  const calls: Call[] = [];
  const transport: Transport = {
    async *sendMessage(request, options = {}) {
      const queue: Scripted[] = [];
      let wake = () => {};
      const push = (event: Scripted) => {
        queue.push(event);
        wake();
      };
      calls.push({ request, options, push });
      for (;;) {
        if (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
        const next = queue.shift()!;
        if (next === 'end') return;
        if (next instanceof Error) throw next;
        yield next;
        if (next.type === 'done') return;
      }
    },
    async getThread(threadId) {
      if (history) return history(threadId);
      throw new ConciergeError({ code: 'not_found', message: 'No thread.', status: 404 });
    },
    async getProductFaqs() {
      return { status: 'not_available', faqs: [] };
    },
  };
  const call = (index: number) => {
    const found = calls[index];
    if (!found) throw new Error(`request ${index} was not sent (${calls.length} were)`);
    return found;
  };
  return { transport, calls, call };
}

function reply(call: Call, threadId: string, messageId: string, text: string) {
  call.push({ type: 'start', threadId, messageId });
  call.push({ type: 'delta', text });
  call.push({ type: 'done', threadId, messageId });
}

function memoryStorage(): SessionStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function fakeConnectivity(initially: boolean) {
  const listeners = new Set<(online: boolean) => void>();
  const connectivity = {
    online: initially,
    isOnline: (): boolean => connectivity.online,
    subscribe(listener: (online: boolean) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(next: boolean) {
      connectivity.online = next;
      for (const listener of listeners) listener(next);
    },
  };
  return connectivity satisfies Connectivity;
}

/** Lets queued promise callbacks and zero-delay timers run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const settle = async () => {
  for (let index = 0; index < 5; index++) await tick();
};
const shape = (messages: { role: string; text: string; status?: string }[]) =>
  messages.map((message) => `${message.role}:${message.text}:${message.status ?? '-'}`);
const immediate = (callback: () => void) => callback();

// Every connected session is disconnected after its test: sessions on one storage key hear each
// other over BroadcastChannel, as tabs do, and must not reach into the next test.
const disconnects: (() => void)[] = [];

/** A session whose `connect()` is undone after the test. */
function open(options: ChatSessionOptions) {
  const session = createChatSession(options);
  const connect = session.connect;
  session.connect = () => {
    const disconnect = connect();
    disconnects.push(disconnect);
    return disconnect;
  };
  return session;
}

afterEach(() => {
  for (const disconnect of disconnects.splice(0)) disconnect();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('sending', () => {
  it('streams a reply into one message, publishing text once per frame', async () => {
    const { transport, call } = scriptedTransport();
    const frames: (() => void)[] = [];
    const session = open({ transport, storage: null, scheduleFrame: (callback) => frames.push(callback) });
    const published: string[] = [];
    session.store.subscribe((state, previous) => {
      if (state.streaming && state.streaming !== previous.streaming) published.push(state.streaming.text);
    });

    const sending = session.send('  What is your return policy?  ');
    expect(session.store.getState().status).toBe('submitted');
    expect(session.store.getState().messages[0]).toMatchObject({ role: 'user', text: 'What is your return policy?', status: 'sending' });

    call(0).push({ type: 'start', threadId: 't1', messageId: 'm1' });
    for (let index = 0; index < 200; index++) call(0).push({ type: 'delta', text: `w${index} ` });
    await tick();
    expect(session.store.getState().status).toBe('streaming');
    // 200 tokens arrived within one frame: one frame is scheduled, nothing published yet but the start.
    expect(frames).toHaveLength(1);
    expect(published).toEqual(['']);
    frames.shift()!();
    expect(published).toHaveLength(2);
    expect(published[1]).toMatch(/^w0 w1 .* w199 $/);

    call(0).push({ type: 'sources', sources: [{ title: 'Returns', url: '/policies/returns' }] });
    call(0).push({ type: 'done', threadId: 't1', messageId: 'm1', confidence: 0.7 });
    await sending;

    const state = session.store.getState();
    expect(state).toMatchObject({ status: 'idle', streaming: null, threadId: 't1' });
    expect(state.messages[0]!.status).toBe('done');
    expect(state.messages[1]).toMatchObject({
      id: 'm1',
      role: 'assistant',
      sources: [{ title: 'Returns', url: '/policies/returns' }],
      confidence: 0.7,
    });
    expect(state.messages[1]!.text).toMatch(/^w0 .* w199 $/);
  });

  it('continues the same thread, with the context read when Send was pressed and the turn id as Idempotency-Key', async () => {
    const { transport, call } = scriptedTransport();
    let page = 'https://shop.example/a';
    const session = open({ transport, storage: null, context: () => ({ pageUrl: page, locale: 'en' }) });
    const first = session.send('one');
    reply(call(0), 't9', 'm1', 'A');
    await first;
    page = 'https://shop.example/b';
    const second = session.send('two');
    await tick();
    reply(call(1), 't9', 'm2', 'B');
    await second;
    expect(call(0).request).toEqual({ message: 'one', pageUrl: 'https://shop.example/a', locale: 'en' });
    expect(call(1).request).toEqual({ message: 'two', pageUrl: 'https://shop.example/b', locale: 'en', threadId: 't9' });
    const [question] = session.store.getState().messages;
    expect(call(0).options.idempotencyKey).toBe(question!.id);
    expect(question!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the thread token the proxy issued and sends it with later messages and the history load', async () => {
    const storage = memoryStorage();
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage });
    session.connect();
    const first = session.send('one');
    call(0).push({ type: 'start', threadId: 'provisional', messageId: 'm1', threadToken: 'token-provisional' });
    call(0).push({ type: 'done', threadId: 't7', messageId: 'm1', threadToken: 'token-t7' });
    await first;
    expect(call(0).options.threadToken).toBeUndefined();
    void session.send('two');
    await tick();
    expect(call(1).request.threadId).toBe('t7');
    expect(call(1).options.threadToken).toBe('token-t7');
    expect(JSON.parse(storage.data.get('concierge:thread')!)).toMatchObject({ threadId: 't7', threadToken: 'token-t7' });

    const tokens: (string | undefined)[] = [];
    const reloaded = scriptedTransport();
    reloaded.transport.getThread = async (threadId, options) => (tokens.push(options?.threadToken), { threadId, messages: [] });
    open({ transport: reloaded.transport, storage }).connect();
    await settle();
    expect(tokens).toEqual(['token-t7']);
    session.reset();
    expect(session.store.getState().threadToken).toBeNull();
  });

  it('keeps the products of a reply on its message', async () => {
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage: null });
    session.connect();
    void session.send('Do you have a skillet?');
    await settle();
    const card = { id: 'skillet', name: 'Cast Iron Skillet', url: '/products/skillet', price: 95, currency: 'USD' };
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1' });
    call(0).push({ type: 'delta', text: 'Yes.' });
    call(0).push({ type: 'sources', sources: [] });
    call(0).push({ type: 'products', products: [card] });
    call(0).push({ type: 'done', threadId: 't1', messageId: 'a1' });
    await settle();
    expect(session.store.getState().messages[1]).toMatchObject({ role: 'assistant', text: 'Yes.', products: [card] });
  });

  it('rejects an empty or too long message without touching the transcript', async () => {
    const { transport, calls } = scriptedTransport();
    const session = open({ transport, storage: null });
    await expect(session.send('   ')).rejects.toMatchObject({ code: 'invalid_request', field: 'message' });
    await expect(session.send('x'.repeat(4001))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(calls).toEqual([]);
    expect(session.store.getState().messages).toEqual([]);
  });

  it('adds per-message fields, and asks for a new conversation after reset', async () => {
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage: null, context: { externalUserId: 'user_1' } });
    const first = session.send('What is the FAQ answer?', { faqId: 123 });
    reply(call(0), 't1', 'm1', 'A');
    await first;
    session.reset();
    const second = session.send('Hello again');
    await tick();
    reply(call(1), 't2', 'm2', 'B');
    await second;
    const third = session.send('And again');
    await tick();
    reply(call(2), 't2', 'm3', 'C');
    await third;
    expect(call(0).request).toEqual({ externalUserId: 'user_1', faqId: 123, message: 'What is the FAQ answer?' });
    expect(call(1).request).toEqual({ externalUserId: 'user_1', message: 'Hello again', newConversation: true });
    expect(call(2).request).toEqual({ externalUserId: 'user_1', message: 'And again', threadId: 't2' });
  });
});

describe('the order of events', () => {
  it('Stop then an immediate send gives [Q1, A1 interrupted, Q2, A2], even when the old request ends late', async () => {
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage: null, scheduleFrame: immediate });
    void session.send('Q1');
    call(0).push({ type: 'start', threadId: 't', messageId: 'a1' });
    call(0).push({ type: 'delta', text: 'A1 part' });
    await tick();

    session.stop();
    const second = session.send('Q2');
    await tick();
    // The first request's failure arrives after the second started: it changes nothing.
    call(0).push(new ConciergeError({ code: 'aborted', message: 'Stopped.' }));
    call(0).push({ type: 'delta', text: ' more' });
    await tick();
    expect(session.store.getState().status).toBe('submitted');
    reply(call(1), 't', 'a2', 'A2');
    await second;

    expect(shape(session.store.getState().messages)).toEqual([
      'user:Q1:interrupted',
      'assistant:A1 part:interrupted',
      'user:Q2:done',
      'assistant:A2:-',
    ]);
    expect(call(1).options.signal?.aborted).toBe(false);
    expect(call(0).options.signal?.aborted).toBe(true);
  });

  it('a stopped request whose transport ignores the abort neither blocks nor writes to the next turn', async () => {
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage: null, scheduleFrame: immediate });
    void session.send('Q1');
    call(0).push({ type: 'start', threadId: 't', messageId: 'a1' });
    await tick();
    session.stop();
    const second = session.send('Q2');
    await tick();
    expect(session.store.getState().messages.map((message) => message.status)).toEqual(['interrupted', 'sending']);
    // The old stream goes on as if nothing happened.
    call(0).push({ type: 'delta', text: 'late text' });
    call(0).push({ type: 'done', threadId: 't', messageId: 'a1' });
    reply(call(1), 't', 'a2', 'A2');
    await second;
    expect(shape(session.store.getState().messages)).toEqual(['user:Q1:interrupted', 'user:Q2:done', 'assistant:A2:-']);
  });

  it('a message sent while a reply streams waits its turn: [Q1, A1, Q2, A2]', async () => {
    const { transport, call, calls } = scriptedTransport();
    const session = open({ transport, storage: null, scheduleFrame: immediate });
    const first = session.send('Q1');
    call(0).push({ type: 'start', threadId: 't', messageId: 'a1' });
    await tick();
    const second = session.send('Q2');
    await tick();
    expect(calls).toHaveLength(1);
    expect(shape(session.store.getState().messages)).toEqual(['user:Q1:streaming', 'user:Q2:queued']);
    call(0).push({ type: 'delta', text: 'A1' });
    call(0).push({ type: 'done', threadId: 't', messageId: 'a1' });
    await first;
    await tick();
    reply(call(1), 't', 'a2', 'A2');
    await second;
    expect(shape(session.store.getState().messages)).toEqual(['user:Q1:done', 'assistant:A1:-', 'user:Q2:done', 'assistant:A2:-']);
    expect(call(1).request.threadId).toBe('t');
  });

  it('a reply finishing after a reset changes nothing', async () => {
    const storage = memoryStorage();
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage, scheduleFrame: immediate });
    session.connect();
    void session.send('Q1');
    call(0).push({ type: 'start', threadId: 't', messageId: 'a1' });
    call(0).push({ type: 'delta', text: 'A1' });
    await tick();
    session.reset();
    call(0).push({ type: 'done', threadId: 't', messageId: 'a1' });
    await settle();
    expect(session.store.getState()).toMatchObject({ messages: [], threadId: null, status: 'idle', streaming: null });
    expect(JSON.parse(storage.data.get('concierge:thread')!)).toMatchObject({ messages: [], threadId: null, startNew: true });
  });
});

describe('failures and retries', () => {
  it('keeps a failed turn with its fields; Retry sends it again with the same id and faqId', async () => {
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage: null });
    const first = session.send('Is it dishwasher safe?', { faqId: 42 });
    call(0).push(new ConciergeError({ code: 'invalid_request', message: 'No.', status: 400 }));
    await first;
    expect(session.store.getState()).toMatchObject({ status: 'error', retrying: false });
    expect(shape(session.store.getState().messages)).toEqual(['user:Is it dishwasher safe?:failed']);

    session.retry();
    await tick();
    reply(call(1), 't', 'a', 'Yes.');
    await settle();
    expect(call(1).request).toEqual({ message: 'Is it dishwasher safe?', faqId: 42 });
    expect(call(1).options.idempotencyKey).toBe(call(0).options.idempotencyKey);
    expect(shape(session.store.getState().messages)).toEqual(['user:Is it dishwasher safe?:done', 'assistant:Yes.:-']);
    expect(session.store.getState().error).toBeNull();
  });

  it('retries a 503 by itself after a jittered backoff, showing when, then answers', async () => {
    vi.useFakeTimers();
    const { transport, call, calls } = scriptedTransport();
    const session = open({ transport, storage: null, random: () => 0.5 });
    void session.send('Where is my order?');
    await vi.advanceTimersByTimeAsync(0);
    call(0).push(new ConciergeError({ code: 'upstream_unavailable', message: 'Down.', status: 503 }));
    await vi.advanceTimersByTimeAsync(0);
    const waiting = session.store.getState();
    expect(waiting).toMatchObject({ status: 'error', retrying: true });
    // Full jitter: half of the first 1 s cap.
    expect(waiting.retryAt! - Date.now()).toBe(500);
    expect(shape(waiting.messages)).toEqual(['user:Where is my order?:queued']);

    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(call(1).options.idempotencyKey).toBe(call(0).options.idempotencyKey);
    reply(call(1), 't', 'a', 'On its way.');
    await vi.advanceTimersByTimeAsync(0);
    expect(session.store.getState()).toMatchObject({ status: 'idle', error: null, retrying: false, retryAt: null });
  });

  it('never retries sooner than Retry-After, gives up after the bounded attempts, and Retry starts over', async () => {
    vi.useFakeTimers();
    const { transport, call, calls } = scriptedTransport();
    const session = open({ transport, storage: null, random: () => 0, retry: { maxAttempts: 3 } });
    void session.send('Hi');
    for (let attempt = 0; attempt < 3; attempt++) {
      await vi.advanceTimersByTimeAsync(0);
      call(attempt).push(new ConciergeError({ code: 'rate_limited', message: 'Wait', status: 429, retryAfterSeconds: 2 }));
      await vi.advanceTimersByTimeAsync(0);
      if (attempt < 2) {
        await vi.advanceTimersByTimeAsync(1999);
        expect(calls).toHaveLength(attempt + 1);
        await vi.advanceTimersByTimeAsync(1);
      }
    }
    expect(calls).toHaveLength(3);
    const state = session.store.getState();
    expect(state).toMatchObject({ status: 'error', retrying: false });
    expect(state.retryAt! - Date.now()).toBe(2000);
    expect(shape(state.messages)).toEqual(['user:Hi:failed']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);

    session.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(4);
  });

  it.each([400, 401, 402, 403, 404, 413, 415, 500])('never retries a %i by itself', async (status) => {
    vi.useFakeTimers();
    const { transport, call, calls } = scriptedTransport();
    const session = open({ transport, storage: null });
    void session.send('Hi');
    await vi.advanceTimersByTimeAsync(0);
    // Even with a code that would pass by itself at 502–504, these statuses never are retried.
    call(0).push(ConciergeError.fromBody({ error: { code: 'upstream_unavailable', message: 'x' } }, status));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(1);
    expect(session.store.getState()).toMatchObject({ status: 'error', retrying: false });
  });

  it('does not retry a reply cut after it started (it would ask the vendor twice)', async () => {
    vi.useFakeTimers();
    const { transport, call, calls } = scriptedTransport();
    const session = open({ transport, storage: null, scheduleFrame: immediate });
    void session.send('Hi');
    await vi.advanceTimersByTimeAsync(0);
    call(0).push({ type: 'start', threadId: 't', messageId: 'a' });
    call(0).push({ type: 'delta', text: 'Half' });
    call(0).push(new ConciergeError({ code: 'network', message: 'cut' }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(shape(session.store.getState().messages)).toEqual(['user:Hi:failed', 'assistant:Half:interrupted']);
  });

  it('Retry now runs a waiting retry at once; Stop cancels it and keeps the turn for Retry', async () => {
    vi.useFakeTimers();
    const { transport, call, calls } = scriptedTransport();
    const session = open({ transport, storage: null, random: () => 0.99, retry: { baseDelayMs: 10_000 } });
    void session.send('Hi');
    await vi.advanceTimersByTimeAsync(0);
    call(0).push(new ConciergeError({ code: 'network', message: 'Failed to fetch' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(session.store.getState().retrying).toBe(true);
    session.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);

    call(1).push(new ConciergeError({ code: 'network', message: 'Failed to fetch' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(session.store.getState().retrying).toBe(true);
    session.stop();
    expect(session.store.getState()).toMatchObject({ retrying: false, retryAt: null, status: 'error' });
    expect(shape(session.store.getState().messages)).toEqual(['user:Hi:failed']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
  });
});

describe('the outbox across reloads', () => {
  it('persists versioned, and restores the thread, transcript and a new conversation after reset', async () => {
    const storage = memoryStorage();
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage, storageKey: 'k' });
    session.connect();
    const sending = session.send('Hello');
    reply(call(0), 't5', 'm5', 'Hi there');
    await sending;
    expect(JSON.parse(storage.data.get('k')!)).toMatchObject({ version: 2, threadId: 't5' });

    const restored = open({ transport, storage, storageKey: 'k' });
    expect(restored.store.getState().messages).toEqual([]);
    const disconnect = restored.connect();
    const state = restored.store.getState();
    expect(state.threadId).toBe('t5');
    expect(state.messages.map((message) => message.text)).toEqual(['Hello', 'Hi there']);
    disconnect();

    restored.reset();
    expect(restored.store.getState().messages).toEqual([]);
    const again = open({ transport, storage, storageKey: 'k' });
    again.connect();
    expect(again.store.getState()).toMatchObject({ threadId: null, messages: [], startNew: true });
  });

  it('a queued FAQ follow-up survives a reload offline and goes out once, with its faqId, after the history', async () => {
    const storage = memoryStorage();
    const connectivity = fakeConnectivity(false);
    const history: ThreadHistory = {
      threadId: 't1',
      messages: [
        { id: 's1', role: 'user', text: 'Earlier', createdAt: '2026-01-01T00:00:00Z' },
        { id: 's2', role: 'assistant', text: 'Earlier answer', createdAt: '2026-01-01T00:00:01Z' },
      ],
    };
    storage.setItem('concierge:thread', JSON.stringify({ threadId: 't1', messages: [] }));
    const before = scriptedTransport(() => history);
    const first = open({ transport: before.transport, storage, connectivity });
    const unload = first.connect();
    void first.send('Is it dishwasher safe?', { faqId: 7, pageUrl: 'https://shop.example/p' });
    await settle();
    expect(before.calls).toHaveLength(0);

    // The page is reloaded, still offline.
    unload();
    const after = scriptedTransport(() => history);
    const reloaded = open({ transport: after.transport, storage, connectivity });
    reloaded.connect();
    expect(shape(reloaded.store.getState().messages)).toEqual(['user:Is it dishwasher safe?:queued']);
    connectivity.set(true);
    await settle();
    expect(after.calls).toHaveLength(1);
    expect(after.call(0).request).toEqual({ message: 'Is it dishwasher safe?', faqId: 7, pageUrl: 'https://shop.example/p', threadId: 't1' });
    reply(after.call(0), 't1', 'a', 'Yes, it is.');
    await settle();
    expect(shape(reloaded.store.getState().messages)).toEqual([
      'user:Earlier:-',
      'assistant:Earlier answer:-',
      'user:Is it dishwasher safe?:done',
      'assistant:Yes, it is.:-',
    ]);
    expect(before.calls).toHaveLength(0);
    expect(after.calls).toHaveLength(1);
  });

  it('a history refresh keeps queued and failed turns', async () => {
    const storage = memoryStorage();
    storage.setItem(
      'concierge:thread',
      JSON.stringify({
        version: 2,
        threadId: 't',
        startNew: false,
        messages: [
          { id: 'u1', role: 'user', text: 'Q1', createdAt: '2026-01-01T00:00:00Z', status: 'done' },
          { id: 'f', role: 'user', text: 'Failed one', createdAt: '2026-01-01T00:00:02Z', status: 'failed', fields: {} },
          { id: 'q', role: 'user', text: 'Queued one', createdAt: '2026-01-01T00:00:03Z', status: 'queued', fields: { faqId: 3 } },
        ],
      }),
    );
    const connectivity = fakeConnectivity(true);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { transport, calls } = scriptedTransport(() => ({
      threadId: 't',
      messages: [
        { id: 's1', role: 'user', text: 'Q1', createdAt: '2026-01-01T00:00:00Z' },
        { id: 's2', role: 'assistant', text: 'A1', createdAt: '2026-01-01T00:00:01Z', interrupted: true },
      ],
    }));
    const getThread = transport.getThread;
    transport.getThread = async (threadId) => (await gate, getThread(threadId));
    const session = open({ transport, storage, connectivity });
    session.connect();
    await settle();
    // The runner loads the history before it sends anything.
    expect(calls).toHaveLength(0);
    release();
    await settle();
    expect(shape(session.store.getState().messages)).toEqual([
      'user:Q1:-',
      'assistant:A1:interrupted',
      'user:Failed one:failed',
      'user:Queued one:sending',
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.request).toMatchObject({ faqId: 3, threadId: 't' });
  });

  it('a history that never comes does not hold the outbox back for more than 10 s', async () => {
    vi.useFakeTimers();
    const storage = memoryStorage();
    storage.setItem(
      'concierge:thread',
      JSON.stringify({
        version: 2,
        threadId: 't',
        startNew: false,
        messages: [{ id: 'q', role: 'user', text: 'Queued', createdAt: '', status: 'queued', fields: {} }],
      }),
    );
    const { transport, calls } = scriptedTransport();
    transport.getThread = () => new Promise(() => {});
    const session = open({ transport, storage });
    session.connect();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(session.store.getState().historyStale).toBe(false);
  });

  it('sends again, with their keys, the turns in flight when the page went away (the proxy joins or replays their replies); an interrupted reply is not re-sent', async () => {
    const storage = memoryStorage();
    storage.setItem(
      'concierge:thread',
      JSON.stringify({
        version: 2,
        threadId: null,
        startNew: false,
        messages: [
          { id: 'streamed', role: 'user', text: 'Was streaming', createdAt: '2026-01-01T00:00:00Z', status: 'streaming', fields: {} },
          { id: 'unsent', role: 'user', text: 'Was sending', createdAt: '2026-01-01T00:00:01Z', status: 'sending', fields: {} },
          { id: 'stopped', role: 'user', text: 'Was stopped', createdAt: '2026-01-01T00:00:02Z', status: 'interrupted', fields: {} },
        ],
      }),
    );
    const { transport, calls, call } = scriptedTransport();
    const session = open({ transport, storage });
    session.connect();
    await settle();
    expect(calls.map((sent) => [sent.request.message, sent.options.idempotencyKey])).toEqual([['Was streaming', 'streamed']]);
    reply(call(0), 't1', 'a1', 'The whole reply, from its start');
    await settle();
    reply(call(1), 't1', 'a2', 'Second');
    await settle();
    expect(calls.map((sent) => [sent.request.message, sent.options.idempotencyKey])).toEqual([
      ['Was streaming', 'streamed'],
      ['Was sending', 'unsent'],
    ]);
    expect(shape(session.store.getState().messages)).toEqual([
      'user:Was streaming:done',
      'assistant:The whole reply, from its start:-',
      'user:Was sending:done',
      'assistant:Second:-',
      'user:Was stopped:interrupted',
    ]);
  });

  it('a turn the history already has (answered while the page was away) is not sent again', async () => {
    const storage = memoryStorage();
    storage.setItem(
      'concierge:thread',
      JSON.stringify({
        version: 2,
        threadId: 't1',
        threadToken: 'token',
        startNew: false,
        messages: [{ id: 'turn-1', role: 'user', text: 'Question', createdAt: '2026-01-01T00:00:00Z', status: 'streaming', fields: {} }],
      }),
    );
    const { transport, calls } = scriptedTransport((threadId) => ({
      threadId,
      messages: [
        { id: 'turn-1', role: 'user', text: 'Question', createdAt: '2026-01-01T00:00:00Z' },
        { id: 'a1', role: 'assistant', text: 'Answered in full', createdAt: '2026-01-01T00:00:01Z' },
      ],
    }));
    const session = open({ transport, storage });
    session.connect();
    await settle();
    expect(calls).toEqual([]);
    expect(shape(session.store.getState().messages)).toEqual(['user:Question:-', 'assistant:Answered in full:-']);
  });

  it('a new attempt of a turn replaces the part an earlier one left only when its reply starts', async () => {
    const { transport, call } = scriptedTransport();
    const connectivity = fakeConnectivity(true);
    const session = open({ transport, storage: null, connectivity });
    session.connect();
    void session.send('Question');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1' });
    call(0).push({ type: 'delta', text: 'Half of' });
    await settle();
    connectivity.online = false;
    call(0).push(new ConciergeError({ code: 'network', message: 'Offline.' }));
    await settle();
    expect(shape(session.store.getState().messages)).toEqual(['user:Question:queued', 'assistant:Half of:interrupted']);
    connectivity.set(true);
    await settle();
    expect(shape(session.store.getState().messages)).toEqual(['user:Question:sending', 'assistant:Half of:interrupted']);
    reply(call(1), 't1', 'a1', 'Half of the answer');
    await settle();
    expect(shape(session.store.getState().messages)).toEqual(['user:Question:done', 'assistant:Half of the answer:-']);
  });

  it('Stop asks the proxy to stop the reply of that turn; a page that goes away does not', async () => {
    const { transport, call } = scriptedTransport();
    const stopped: [string, RequestOptions | undefined][] = [];
    transport.stopReply = async (key, options) => void stopped.push([key, options]);
    const session = open({ transport, storage: null });
    const disconnect = session.connect();
    void session.send('First');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1', threadToken: 'tok' });
    await settle();
    const turnId = session.store.getState().active!.turnId;
    session.stop();
    expect(stopped).toEqual([[turnId, { threadToken: 'tok' }]]);
    void session.send('Second');
    await settle();
    call(1).push({ type: 'start', threadId: 't1', messageId: 'a2' });
    await settle();
    disconnect();
    expect(stopped).toHaveLength(1);
  });

  it('a Stop lost on the way while offline is sent again once the connection is back, and only once it succeeds', async () => {
    const { transport, call } = scriptedTransport();
    const connectivity = fakeConnectivity(true);
    const stopped: string[] = [];
    let reachable = false;
    transport.stopReply = async (key) => {
      stopped.push(key);
      if (!reachable) throw new ConciergeError({ code: 'network', message: 'Failed to fetch' });
    };
    const session = open({ transport, storage: null, connectivity });
    session.connect();
    void session.send('Question');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1' });
    await settle();
    const turnId = session.store.getState().active!.turnId;
    connectivity.online = false;
    session.stop();
    await settle();
    expect(stopped).toEqual([turnId]);
    expect(session.store.getState().active).toBeNull();
    // Still offline: nothing is sent until the device says it is back.
    connectivity.set(false);
    await settle();
    expect(stopped).toEqual([turnId]);
    reachable = true;
    connectivity.set(true);
    await settle();
    expect(stopped).toEqual([turnId, turnId]);
    connectivity.set(false);
    connectivity.set(true);
    await settle();
    expect(stopped).toEqual([turnId, turnId]);
  });

  it('a Stop lost on the way while the device still says it is online is sent again after the backoff, as often as a turn', async () => {
    const { transport, call } = scriptedTransport();
    const stopped: string[] = [];
    transport.stopReply = async (key) => {
      stopped.push(key);
      throw new ConciergeError({ code: 'network', message: 'Failed to fetch' });
    };
    const session = open({ transport, storage: null, connectivity: fakeConnectivity(true), random: () => 0, retry: { maxAttempts: 3 } });
    session.connect();
    void session.send('Question');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1' });
    await settle();
    session.stop();
    await settle();
    expect(stopped).toHaveLength(3);
  });

  it('a Stop that failed for another reason than the network is not sent again', async () => {
    const { transport, call } = scriptedTransport();
    const connectivity = fakeConnectivity(true);
    const stopped: string[] = [];
    transport.stopReply = async (key) => {
      stopped.push(key);
      throw new ConciergeError({ code: 'not_found', message: 'No such reply.', status: 404 });
    };
    const session = open({ transport, storage: null, connectivity });
    session.connect();
    void session.send('Question');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1' });
    await settle();
    session.stop();
    await settle();
    connectivity.set(false);
    connectivity.set(true);
    await settle();
    expect(stopped).toHaveLength(1);
  });

  it('a new conversation started during a reply stops that reply on the proxy too, and its late events change nothing', async () => {
    const { transport, call } = scriptedTransport();
    const stopped: string[] = [];
    transport.stopReply = async (key) => void stopped.push(key);
    const session = open({ transport, storage: null });
    session.connect();
    void session.send('Old question');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1' });
    await settle();
    const turnId = session.store.getState().active!.turnId;
    session.reset();
    expect(stopped).toEqual([turnId]);
    call(0).push({ type: 'delta', text: 'late' });
    call(0).push({ type: 'done', threadId: 't1', messageId: 'a1' });
    await settle();
    expect(session.store.getState().messages).toEqual([]);
    expect(session.store.getState().threadId).toBeNull();
  });

  it('sending on mount before the restore keeps the restored transcript first', () => {
    const storage = memoryStorage();
    storage.setItem('concierge:thread', JSON.stringify({ threadId: 't1', messages: [{ id: 'old', role: 'user', text: 'Earlier', createdAt: '' }] }));
    const { transport } = scriptedTransport();
    const session = open({ transport, storage });
    void session.send('Asked on mount');
    session.connect();
    expect(session.store.getState().threadId).toBe('t1');
    expect(session.store.getState().messages.map((item) => item.text)).toEqual(['Earlier', 'Asked on mount']);
    session.stop();
  });
});

describe('offline', () => {
  it('queues messages written offline and sends them in order, once each, when back online', async () => {
    const { transport, call, calls } = scriptedTransport();
    const connectivity = fakeConnectivity(false);
    const session = open({ transport, storage: null, connectivity });
    session.connect();
    void session.send('First, offline');
    void session.send('Second, offline');
    await settle();
    expect(calls).toEqual([]);
    expect(shape(session.store.getState().messages)).toEqual(['user:First, offline:queued', 'user:Second, offline:queued']);
    expect(session.store.getState()).toMatchObject({ error: null, online: false });

    connectivity.set(true);
    connectivity.set(true);
    await settle();
    expect(calls).toHaveLength(1);
    reply(call(0), 't', 'a1', 'One');
    await settle();
    reply(call(1), 't', 'a2', 'Two');
    await settle();
    expect(calls.map((item) => item.request.message)).toEqual(['First, offline', 'Second, offline']);
    expect(shape(session.store.getState().messages)).toEqual([
      'user:First, offline:done',
      'assistant:One:-',
      'user:Second, offline:done',
      'assistant:Two:-',
    ]);
  });

  it('Retry pressed while offline waits for the connection, then sends the turn once', async () => {
    const { transport, call, calls } = scriptedTransport();
    const connectivity = fakeConnectivity(true);
    const session = open({ transport, storage: null, connectivity });
    session.connect();
    void session.send('Hi');
    await tick();
    call(0).push(new ConciergeError({ code: 'internal', message: 'x', status: 500 }));
    await settle();
    connectivity.set(false);
    session.retry();
    await settle();
    expect(calls).toHaveLength(1);
    expect(shape(session.store.getState().messages)).toEqual(['user:Hi:queued']);
    connectivity.set(true);
    await settle();
    expect(calls).toHaveLength(2);
    reply(call(1), 't', 'a', 'Hello');
    await settle();
    expect(shape(session.store.getState().messages)).toEqual(['user:Hi:done', 'assistant:Hello:-']);
  });

  it('queues a turn whose request failed because the connection dropped', async () => {
    const { transport, call, calls } = scriptedTransport();
    const connectivity = fakeConnectivity(true);
    const session = open({ transport, storage: null, connectivity });
    session.connect();
    void session.send('Where is my order?');
    await tick();
    connectivity.online = false;
    call(0).push(new ConciergeError({ code: 'network', message: 'Failed to fetch' }));
    await settle();
    expect(session.store.getState()).toMatchObject({ status: 'idle', error: null });
    expect(session.store.getState().messages[0]).toMatchObject({ status: 'queued' });
    connectivity.set(true);
    await settle();
    expect(calls).toHaveLength(2);
    expect(call(1).options.idempotencyKey).toBe(call(0).options.idempotencyKey);
  });
});

describe('two tabs', () => {
  /** Web Locks as browsers grant them: one holder per name, the others wait in order. */
  function fakeLocks() {
    const tails = new Map<string, Promise<unknown>>();
    return {
      request(name: string, task: () => Promise<unknown>) {
        const run = (tails.get(name) ?? Promise.resolve()).then(task);
        tails.set(name, run.catch(() => {}));
        return run;
      },
    };
  }

  it('keeps two sessions on one storage key in step, and a queued turn is sent by one tab only', async () => {
    vi.stubGlobal('navigator', { onLine: true, locks: fakeLocks() });
    const storage = memoryStorage();
    const a = scriptedTransport();
    const b = scriptedTransport();
    const tabA = open({ transport: a.transport, storage, storageKey: 'two-tabs' });
    const tabB = open({ transport: b.transport, storage, storageKey: 'two-tabs' });
    const stopA = tabA.connect();
    const stopB = tabB.connect();

    void tabA.send('Asked in tab A');
    await settle();
    expect(shape(tabB.store.getState().messages)).toEqual(['user:Asked in tab A:sending']);
    reply(a.call(0), 't', 'a1', 'Answered');
    await settle();
    expect(shape(tabB.store.getState().messages)).toEqual(['user:Asked in tab A:done', 'assistant:Answered:-']);
    expect(tabB.store.getState().threadId).toBe('t');

    // Both tabs hold the same queued turn (written offline in B); it goes out once.
    const connectivity = fakeConnectivity(false);
    const tabC = open({ transport: b.transport, storage, storageKey: 'two-tabs', connectivity });
    const stopC = tabC.connect();
    void tabC.send('Queued in tab C');
    await settle();
    // An online tab sends it; a tab opened meanwhile restores it but does not send it again.
    expect(shape(tabA.store.getState().messages).at(-1)).toMatch(/^user:Queued in tab C:(sending|queued)$/);
    const third = scriptedTransport();
    const opened = open({ transport: third.transport, storage, storageKey: 'two-tabs' });
    const disconnectAgain = opened.connect();
    await settle();
    expect(a.calls.length + b.calls.length + third.calls.length).toBe(2);
    const second = a.calls[1] ?? b.calls[0]!;
    expect(second.request.message).toBe('Queued in tab C');
    reply(second, 't', 'a2', 'Second answer');
    await settle();
    expect(third.calls).toHaveLength(0);
    await settle();
    expect(a.calls.length + b.calls.length).toBe(2);
    expect(shape(tabB.store.getState().messages).slice(-2)).toEqual(['user:Queued in tab C:done', 'assistant:Second answer:-']);
    disconnectAgain();
    stopC();
    stopA();
    stopB();
  });

  it('"New conversation" in one tab ends the other tab’s reply in progress, without echoing back', async () => {
    vi.stubGlobal('navigator', { onLine: true, locks: fakeLocks() });
    const storage = memoryStorage();
    const a = scriptedTransport();
    const tabA = open({ transport: a.transport, storage, storageKey: 'reset-tabs', scheduleFrame: immediate });
    const tabB = open({ transport: scriptedTransport().transport, storage, storageKey: 'reset-tabs' });
    const stopA = tabA.connect();
    const stopB = tabB.connect();
    void tabA.send('Tell me everything');
    await settle();
    a.call(0).push({ type: 'start', threadId: 't', messageId: 'a1' });
    a.call(0).push({ type: 'delta', text: 'Part' });
    await settle();
    let writes = 0;
    const setItem = storage.setItem;
    storage.setItem = (key, value) => (writes++, setItem(key, value));

    tabB.reset();
    await settle();
    expect(tabA.store.getState()).toMatchObject({ messages: [], threadId: null, streaming: null, status: 'idle', startNew: true });
    expect(a.call(0).options.signal?.aborted).toBe(true);
    // One write (tab B's); tab A applied it without writing or posting it back.
    expect(writes).toBe(1);
    a.call(0).push({ type: 'done', threadId: 't', messageId: 'a1' });
    await settle();
    expect(tabA.store.getState().messages).toEqual([]);
    expect(tabB.store.getState().messages).toEqual([]);
    stopA();
    stopB();
  });

  it('sends a turn once when the browser refuses Web Locks', async () => {
    vi.stubGlobal('navigator', { onLine: true, locks: { request: () => Promise.reject(new DOMException('Denied', 'SecurityError')) } });
    const { transport, calls } = scriptedTransport();
    const session = open({ transport, storage: memoryStorage() });
    session.connect();
    void session.send('Hi');
    await settle();
    expect(calls).toHaveLength(1);
  });

  it('falls back to the storage event where there is no BroadcastChannel', async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const target = new EventTarget();
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    const storage = memoryStorage();
    const tab = open({ transport: scriptedTransport().transport, storage, storageKey: 'k' });
    const disconnect = tab.connect();
    const stored = JSON.stringify({
      version: 2,
      threadId: 't',
      startNew: false,
      messages: [{ id: 'x', role: 'user', text: 'From the other tab', createdAt: '', status: 'done' }],
    });
    const event = Object.assign(new Event('storage'), { key: 'k', newValue: stored });
    target.dispatchEvent(event);
    expect(shape(tab.store.getState().messages)).toEqual(['user:From the other tab:done']);
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'other', newValue: null }));
    expect(tab.store.getState().messages).toHaveLength(1);
    disconnect();
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'k', newValue: null }));
    expect(tab.store.getState().messages).toHaveLength(1);
  });
});

describe('suggestions, feedback and handoff', () => {
  /** A transport whose feedback and handoff requests wait for the test to settle them. */
  function withActions() {
    const scripted = scriptedTransport();
    const requests: { path: string; body: unknown; options: RequestOptions | undefined; settle: (error?: Error) => void }[] = [];
    const pending = (path: string, body: unknown, options: RequestOptions | undefined, value: unknown) =>
      new Promise<never>((resolve, reject) => requests.push({ path, body, options, settle: (error) => (error ? reject(error) : resolve(value as never)) }));
    scripted.transport.sendFeedback = (body, options) => pending('/feedback', body, options, { recorded: true, duplicate: false });
    scripted.transport.requestHandoff = (body, options) => pending('/handoff', body, options, { handoffId: 'h1', replyTime: 'within 2 hours' });
    return { ...scripted, requests };
  }

  async function answered(session: ReturnType<typeof open>, call: (index: number) => Call) {
    void session.send('Return policy?');
    await settle();
    call(0).push({ type: 'start', threadId: 't1', messageId: 'a1', threadToken: 'token-t1' });
    call(0).push({ type: 'delta', text: '30 days.' });
    call(0).push({ type: 'suggestions', suggestions: ['Tell me about refunds', 'Tell me about exchanges'] });
    call(0).push({ type: 'done', threadId: 't1', messageId: 'a1', offerHandoff: true });
    await settle();
  }

  it('keeps a reply’s follow-up questions and its offer of a person on its message', async () => {
    const { transport, call } = withActions();
    const session = open({ transport, storage: null });
    session.connect();
    await answered(session, call);
    expect(session.store.getState().messages[1]).toMatchObject({
      id: 'a1',
      suggestions: ['Tell me about refunds', 'Tell me about exchanges'],
      offerHandoff: true,
    });
  });

  it('records feedback with the thread token once the proxy took it, and keeps it across a history reload', async () => {
    const storage = memoryStorage();
    const { transport, call, requests } = withActions();
    const session = open({ transport, storage });
    session.connect();
    await answered(session, call);
    const rated = session.feedback('a1', 'down', '  Not what I asked  ');
    await tick();
    expect(requests[0]).toMatchObject({ path: '/feedback', body: { threadId: 't1', messageId: 'a1', rating: 'down', comment: 'Not what I asked' }, options: { threadToken: 'token-t1' } });
    // Not shown as given before the proxy has it.
    expect(session.store.getState().messages[1]!.feedback).toBeUndefined();
    requests[0]!.settle();
    await rated;
    expect(session.store.getState().messages[1]!.feedback).toEqual({ rating: 'down', comment: 'Not what I asked' });

    // The server's history does not carry ratings: the tab's own stay.
    const reloaded = scriptedTransport(() => ({
      threadId: 't1',
      messages: [
        { id: session.store.getState().messages[0]!.id, role: 'user', text: 'Return policy?', createdAt: '2026-11-23T10:00:00Z' },
        { id: 'a1', role: 'assistant', text: '30 days.', createdAt: '2026-11-23T10:00:01Z' },
      ],
    }));
    const again = open({ transport: reloaded.transport, storage });
    again.connect();
    await settle();
    expect(again.store.getState().messages[1]!.feedback).toEqual({ rating: 'down', comment: 'Not what I asked' });
  });

  it('a rating the proxy refused rejects and leaves the reply unrated; one that lands after a reset changes nothing', async () => {
    const { transport, call, requests } = withActions();
    const session = open({ transport, storage: null });
    session.connect();
    await answered(session, call);
    const refused = session.feedback('a1', 'up');
    await tick();
    requests[0]!.settle(new ConciergeError({ code: 'rate_limited', message: 'Too many.' }));
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited' });
    expect(session.store.getState().messages[1]!.feedback).toBeUndefined();

    const late = session.feedback('a1', 'up');
    await tick();
    session.reset();
    requests[1]!.settle();
    await late;
    expect(session.store.getState().messages).toEqual([]);
  });

  it('asks for a person with the thread, its token and the page, or with no thread before any message', async () => {
    const { transport, call, requests } = withActions();
    const session = open({ transport, storage: null, context: () => ({ pageUrl: 'https://shop.example/p/1', locale: 'en' }) });
    session.connect();
    const early = session.handoff({ email: ' ana@example.com ', note: '   ' });
    await tick();
    expect(requests[0]).toMatchObject({ path: '/handoff', body: { email: 'ana@example.com', pageUrl: 'https://shop.example/p/1' } });
    expect(requests[0]!.body).not.toHaveProperty('threadId');
    expect(requests[0]!.body).not.toHaveProperty('note');
    requests[0]!.settle();
    expect(await early).toEqual({ handoffId: 'h1', replyTime: 'within 2 hours' });

    await answered(session, call);
    const later = session.handoff({ email: 'ana@example.com', note: 'Damaged parcel' });
    await tick();
    expect(requests[1]).toMatchObject({ body: { threadId: 't1', note: 'Damaged parcel' }, options: { threadToken: 'token-t1' } });
    requests[1]!.settle();
    await later;
  });

  it('says so when the transport cannot rate or hand off', async () => {
    const { transport, call } = scriptedTransport();
    const session = open({ transport, storage: null });
    session.connect();
    await expect(session.feedback('a1', 'up')).rejects.toMatchObject({ code: 'invalid_request' });
    await answered(session, call);
    await expect(session.feedback('a1', 'up')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(session.handoff({ email: 'ana@example.com' })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
