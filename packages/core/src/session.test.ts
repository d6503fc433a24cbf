import { describe, expect, it } from 'vitest';
import { ConciergeError } from './errors';
import type { StreamEvent } from './protocol';
import { createChatSession, type SessionStorage } from './session';
import type { Transport } from './transport';

/** A transport that replays events the test pushes, like a proxy streaming slowly. */
function scriptedTransport() {
  const sent: { message: string; threadId?: string; pageUrl?: string }[] = [];
  let push: (event: StreamEvent | Error | 'end') => void = () => {};
  const transport: Transport = {
    async *sendMessage(request, { signal } = {}) {
      sent.push(request);
      const queue: (StreamEvent | Error | 'end')[] = [];
      let wake = () => {};
      push = (event) => {
        queue.push(event);
        wake();
      };
      signal?.addEventListener('abort', () => push(new ConciergeError({ code: 'aborted', message: 'Stopped.' })));
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
      return { threadId, messages: [] };
    },
    async getProductFaqs() {
      return { status: 'not_available', faqs: [] };
    },
  };
  return { transport, sent, push: (event: StreamEvent | Error | 'end') => push(event) };
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

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createChatSession', () => {
  it('streams a reply into one message, publishing text once per frame', async () => {
    const { transport, push } = scriptedTransport();
    const frames: (() => void)[] = [];
    const session = createChatSession({ transport, storage: null, scheduleFrame: (callback) => frames.push(callback) });
    const published: string[] = [];
    session.store.subscribe((state, previous) => {
      if (state.streaming && state.streaming !== previous.streaming) published.push(state.streaming.text);
    });

    const sending = session.send('  What is your return policy?  ');
    expect(session.store.getState().status).toBe('submitted');
    expect(session.store.getState().messages[0]).toMatchObject({ role: 'user', text: 'What is your return policy?' });

    push({ type: 'start', threadId: 't1', messageId: 'm1' });
    for (let index = 0; index < 200; index++) push({ type: 'delta', text: `w${index} ` });
    await tick();
    expect(session.store.getState().status).toBe('streaming');
    // 200 tokens arrived within one frame: one frame is scheduled, nothing published yet but the start.
    expect(frames).toHaveLength(1);
    expect(published).toEqual(['']);
    frames.shift()!();
    expect(published).toHaveLength(2);
    expect(published[1]).toMatch(/^w0 w1 .* w199 $/);

    push({ type: 'sources', sources: [{ title: 'Returns', url: '/policies/returns' }] });
    push({ type: 'done', threadId: 't1', messageId: 'm1', confidence: 0.7 });
    await sending;

    const state = session.store.getState();
    expect(state.status).toBe('idle');
    expect(state.streaming).toBeNull();
    expect(state.threadId).toBe('t1');
    expect(state.messages[1]).toMatchObject({
      id: 'm1',
      role: 'assistant',
      sources: [{ title: 'Returns', url: '/policies/returns' }],
      confidence: 0.7,
    });
    expect(state.messages[1]!.text).toMatch(/^w0 .* w199 $/);
  });

  it('continues the same thread and sends the context read at send time', async () => {
    const { transport, push, sent } = scriptedTransport();
    let page = 'https://shop.example/a';
    const session = createChatSession({ transport, storage: null, context: () => ({ pageUrl: page, locale: 'en' }) });
    const first = session.send('one');
    push({ type: 'start', threadId: 't9', messageId: 'm1' });
    push({ type: 'done', threadId: 't9', messageId: 'm1' });
    await first;
    page = 'https://shop.example/b';
    const second = session.send('two');
    push({ type: 'done', threadId: 't9', messageId: 'm2' });
    await second;
    expect(sent).toEqual([
      { message: 'one', pageUrl: 'https://shop.example/a', locale: 'en' },
      { message: 'two', pageUrl: 'https://shop.example/b', locale: 'en', threadId: 't9' },
    ]);
  });

  it('rejects an empty or too long message without touching the transcript', async () => {
    const { transport, sent } = scriptedTransport();
    const session = createChatSession({ transport, storage: null });
    await expect(session.send('   ')).rejects.toMatchObject({ code: 'invalid_request', field: 'message' });
    await expect(session.send('x'.repeat(4001))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(sent).toEqual([]);
    expect(session.store.getState().messages).toEqual([]);
  });

  it('keeps a failed message for retry, and retry sends the same text again', async () => {
    const { transport, push, sent } = scriptedTransport();
    const session = createChatSession({ transport, storage: null });
    const first = session.send('Where is my order?');
    push(new ConciergeError({ code: 'upstream_unavailable', message: 'Down.' }));
    await first;
    let state = session.store.getState();
    expect(state.status).toBe('error');
    expect(state.error?.code).toBe('upstream_unavailable');
    expect(state.messages).toMatchObject([{ text: 'Where is my order?', status: 'failed' }]);

    const retrying = session.retry();
    push({ type: 'start', threadId: 't', messageId: 'm' });
    push({ type: 'delta', text: 'On its way.' });
    push({ type: 'done', threadId: 't', messageId: 'm' });
    await retrying;
    state = session.store.getState();
    expect(sent.map((request) => request.message)).toEqual(['Where is my order?', 'Where is my order?']);
    expect(state.messages.map((message) => [message.role, message.text, message.status])).toEqual([
      ['user', 'Where is my order?', undefined],
      ['assistant', 'On its way.', undefined],
    ]);
    expect(state.error).toBeNull();
  });

  it('stop keeps the text that arrived, marked interrupted', async () => {
    const { transport, push } = scriptedTransport();
    const session = createChatSession({ transport, storage: null, scheduleFrame: (callback) => callback() });
    const sending = session.send('Tell me everything');
    push({ type: 'start', threadId: 't', messageId: 'm' });
    push({ type: 'delta', text: 'Part of the answer' });
    await tick();
    session.stop();
    await sending;
    const state = session.store.getState();
    expect(state.status).toBe('idle');
    expect(state.error).toBeNull();
    expect(state.messages[1]).toMatchObject({ role: 'assistant', text: 'Part of the answer', status: 'interrupted' });
  });

  it('persists the thread and transcript, and restores them in a new session', async () => {
    const storage = memoryStorage();
    const { transport, push } = scriptedTransport();
    const session = createChatSession({ transport, storage, storageKey: 'k' });
    const sending = session.send('Hello');
    push({ type: 'start', threadId: 't5', messageId: 'm5' });
    push({ type: 'delta', text: 'Hi there' });
    push({ type: 'done', threadId: 't5', messageId: 'm5' });
    await sending;

    const restored = createChatSession({ transport, storage, storageKey: 'k' });
    expect(restored.store.getState().messages).toEqual([]);
    restored.restore();
    const state = restored.store.getState();
    expect(state.threadId).toBe('t5');
    expect(state.messages.map((message) => message.text)).toEqual(['Hello', 'Hi there']);
    expect(state.historyStale).toBe(true);

    restored.reset();
    expect(storage.data.has('k')).toBe(false);
    expect(restored.store.getState().messages).toEqual([]);
  });

  it('ignores a corrupt stored transcript', () => {
    const storage = memoryStorage();
    storage.setItem('concierge:thread', '{not json');
    const session = createChatSession({ transport: scriptedTransport().transport, storage });
    session.restore();
    expect(session.store.getState().messages).toEqual([]);
  });

  it('hydrates a restored thread from the server history once', () => {
    const storage = memoryStorage();
    storage.setItem('concierge:thread', JSON.stringify({ threadId: 't', messages: [] }));
    const session = createChatSession({ transport: scriptedTransport().transport, storage });
    session.restore();
    session.hydrate({
      threadId: 't',
      messages: [
        { id: 'u', role: 'user', text: 'Q', createdAt: '2026-01-01T00:00:00Z' },
        { id: 'a', role: 'assistant', text: 'A', createdAt: '2026-01-01T00:00:01Z', interrupted: true },
      ],
    });
    expect(session.store.getState().messages).toMatchObject([{ id: 'u' }, { id: 'a', status: 'interrupted' }]);
    session.hydrate({ threadId: 't', messages: [] });
    expect(session.store.getState().messages).toHaveLength(2);
  });
});

describe('vendor fields', () => {
  it('adds per-message fields, and asks for a new conversation after reset', async () => {
    const { transport, push, sent } = scriptedTransport();
    const session = createChatSession({ transport, storage: null, context: { externalUserId: 'user_1' } });
    const first = session.send('What is the FAQ answer?', { faqId: 123 });
    push({ type: 'done', threadId: 't1', messageId: 'm1' });
    await first;
    session.reset();
    const second = session.send('Hello again');
    push({ type: 'start', threadId: 't2', messageId: 'm2' });
    push({ type: 'done', threadId: 't2', messageId: 'm2' });
    await second;
    const third = session.send('And again');
    push({ type: 'done', threadId: 't2', messageId: 'm3' });
    await third;
    expect(sent).toEqual([
      { externalUserId: 'user_1', faqId: 123, message: 'What is the FAQ answer?' },
      { externalUserId: 'user_1', message: 'Hello again', newConversation: true },
      { externalUserId: 'user_1', message: 'And again', threadId: 't2' },
    ]);
  });

  it('records when a rate-limited shopper may send again', async () => {
    const { transport, push } = scriptedTransport();
    const session = createChatSession({ transport, storage: null });
    const sending = session.send('Hi');
    const before = Date.now();
    push(new ConciergeError({ code: 'rate_limited', message: 'Wait', retryAfterSeconds: 30 }));
    await sending;
    const { retryAt } = session.store.getState();
    expect(retryAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(retryAt).toBeLessThan(before + 31_000);
  });
});

describe('restoring after a message was already sent', () => {
  it('keeps the restored transcript first and the new message after it', () => {
    const storage = memoryStorage();
    storage.setItem('concierge:thread', JSON.stringify({ threadId: 't1', messages: [{ id: 'old', role: 'user', text: 'Earlier', createdAt: '' }] }));
    const { transport } = scriptedTransport();
    const session = createChatSession({ transport, storage });
    void session.send('Asked on mount');
    session.restore();
    expect(session.store.getState().threadId).toBe('t1');
    expect(session.store.getState().messages.map((item) => item.text)).toEqual(['Earlier', 'Asked on mount']);
    session.restore();
    expect(session.store.getState().messages).toHaveLength(2);
    session.stop();
  });
});

describe('offline', () => {
  function fakeConnectivity(online: boolean) {
    const listeners: (() => void)[] = [];
    return {
      online,
      isOnline() {
        return this.online;
      },
      onceOnline(callback: () => void) {
        listeners.push(callback);
      },
      goOnline() {
        this.online = true;
        listeners.splice(0).forEach((listener) => listener());
      },
    };
  }

  it('queues messages written offline and sends them in order when back online', async () => {
    const { transport, push, sent } = scriptedTransport();
    const connectivity = fakeConnectivity(false);
    const session = createChatSession({ transport, storage: null, connectivity });
    await session.send('First, offline');
    await session.send('Second, offline');
    expect(sent).toEqual([]);
    expect(session.store.getState().messages.map((item) => [item.text, item.status])).toEqual([
      ['First, offline', 'queued'],
      ['Second, offline', 'queued'],
    ]);
    expect(session.store.getState().error).toBeNull();

    connectivity.goOnline();
    await tick();
    push({ type: 'start', threadId: 't', messageId: 'a1' });
    push({ type: 'done', threadId: 't', messageId: 'a1' });
    await tick();
    await tick();
    push({ type: 'done', threadId: 't', messageId: 'a2' });
    await tick();
    expect(sent.map((request) => request.message)).toEqual(['First, offline', 'Second, offline']);
    expect(session.store.getState().messages.map((item) => [item.role, item.status])).toEqual([
      ['user', undefined],
      ['assistant', undefined],
      ['user', undefined],
      ['assistant', undefined],
    ]);
  });

  it('queues a message whose request failed because the connection dropped', async () => {
    const { transport, push, sent } = scriptedTransport();
    const connectivity = fakeConnectivity(true);
    const session = createChatSession({ transport, storage: null, connectivity });
    const sending = session.send('Where is my order?');
    connectivity.online = false;
    push(new ConciergeError({ code: 'network', message: 'Failed to fetch' }));
    await sending;
    expect(session.store.getState()).toMatchObject({ status: 'idle', error: null });
    expect(session.store.getState().messages[0]).toMatchObject({ status: 'queued' });
    connectivity.goOnline();
    await tick();
    expect(sent).toHaveLength(2);
  });
});
