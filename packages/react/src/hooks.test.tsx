import { createHttpTransport, type ThreadHistory } from '@concierge/core';
import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { Profiler, type ReactNode, useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingProviderError } from './context';
import { ConciergeProvider } from './provider';
import { useStream } from './use-stream';
import { type UseThreadResult, useThread } from './use-thread';

/** A fetch whose SSE reply the test writes event by event, like a slow proxy. */
function streamingFetch() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const requests: { url: string; body: unknown }[] = [];
  let sequence = 0;
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    if (String(url).includes('/threads/')) {
      return Response.json({ error: { code: 'not_found', message: 'No thread.' } }, { status: 404 });
    }
    requests.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    const body = new ReadableStream<Uint8Array>({ start: (stream) => void (controller = stream) });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  });
  const emit = (event: string, data: object) =>
    controller.enqueue(encoder.encode(`id: m:${sequence++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  return { fetch, requests, emit, close: () => controller.close() };
}

/** Animation frames the test runs by hand. */
function manualFrames() {
  const callbacks: FrameRequestCallback[] = [];
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => callbacks.push(callback));
  return {
    get pending() {
      return callbacks.length;
    },
    run: () => act(() => callbacks.splice(0).forEach((callback) => callback(performance.now()))),
  };
}

const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 10)));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('hooks outside a provider', () => {
  it('throw a named error', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useThread())).toThrow(MissingProviderError);
    expect(() => renderHook(() => useStream())).toThrow('useStream must be used inside <ConciergeProvider>.');
  });
});

describe('streaming', () => {
  it('re-renders only the streaming message, once per animation frame', async () => {
    const frames = manualFrames();
    const server = streamingFetch();
    const transport = createHttpTransport({ endpoint: '/api/concierge', fetch: server.fetch });
    const commits = { list: 0, stream: 0 };
    let thread!: UseThreadResult;

    function List() {
      thread = useThread();
      return (
        <ul>
          {thread.messages.map((message) => (
            <li key={message.id}>{message.text}</li>
          ))}
        </ul>
      );
    }
    function Streaming() {
      const { text } = useStream();
      return <p data-testid="streaming">{text}</p>;
    }

    render(
      <ConciergeProvider transport={transport} storage={null}>
        <Profiler id="list" onRender={() => commits.list++}>
          <List />
        </Profiler>
        <Profiler id="stream" onRender={() => commits.stream++}>
          <Streaming />
        </Profiler>
      </ConciergeProvider>,
    );

    let sending!: Promise<void>;
    act(() => {
      sending = thread.send('What is your return policy?');
    });
    await settle();
    server.emit('start', { threadId: 't1', messageId: 'm1' });
    await settle();
    const before = { ...commits };

    // 1,000 tokens over 10 frames.
    for (let frame = 0; frame < 10; frame++) {
      for (let token = 0; token < 100; token++) server.emit('delta', { text: `t${frame * 100 + token} ` });
      await settle();
      expect(frames.pending).toBe(1);
      frames.run();
    }

    expect(commits.list - before.list).toBe(0);
    expect(commits.stream - before.stream).toBe(10);
    expect(screen.getByTestId('streaming').textContent).toMatch(/^t0 t1 .* t999 $/);

    server.emit('sources', { sources: [{ title: 'Returns', url: '/policies/returns' }] });
    server.emit('done', { threadId: 't1', messageId: 'm1' });
    server.close();
    await act(() => sending);
    expect(thread.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(thread.messages[1]!.sources).toEqual([{ title: 'Returns', url: '/policies/returns' }]);
    expect(thread.threadId).toBe('t1');
    expect(thread.status).toBe('idle');
  });

  it('exposes status, stop and the partial reply', async () => {
    const server = streamingFetch();
    const transport = createHttpTransport({ endpoint: '/api', fetch: server.fetch });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <ConciergeProvider transport={transport} storage={null}>
        {children}
      </ConciergeProvider>
    );
    const { result } = renderHook(() => ({ thread: useThread(), stream: useStream() }), { wrapper });
    let sending!: Promise<void>;
    act(() => {
      sending = result.current.thread.send('Hi');
    });
    expect(result.current.thread.status).toBe('submitted');
    expect(result.current.thread.isBusy).toBe(true);
    await settle();
    server.emit('start', { threadId: 't', messageId: 'm' });
    server.emit('delta', { text: 'Hello the' });
    await waitFor(() => expect(result.current.stream.text).toBe('Hello the'));
    expect(result.current.stream.status).toBe('streaming');
    expect(result.current.stream.messageId).toBe('m');
    act(() => result.current.stream.stop());
    await act(() => sending);
    expect(result.current.thread.status).toBe('idle');
    expect(result.current.thread.messages[1]).toMatchObject({ text: 'Hello the', status: 'interrupted' });
  });

  it('Stop reaches the proxy through the provider, which would otherwise go on producing the reply', async () => {
    const server = streamingFetch();
    const stops: { url: string; token: string | null }[] = [];
    const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
      if (String(url).endsWith('/stop')) {
        stops.push({ url: String(url), token: new Headers(init?.headers).get('concierge-thread-token') });
        return Response.json({ stopped: true });
      }
      return server.fetch(url, init);
    }) as typeof globalThis.fetch;
    const wrapper = ({ children }: { children: ReactNode }) => (
      <ConciergeProvider endpoint="/api" fetch={fetch} storage={null}>
        {children}
      </ConciergeProvider>
    );
    const { result } = renderHook(() => useThread(), { wrapper });
    act(() => void result.current.send('Hi'));
    await settle();
    server.emit('start', { threadId: 't', messageId: 'm', threadToken: 'token-t' });
    await settle();
    act(() => result.current.stop());
    const turn = result.current.messages[0]!.id;
    await waitFor(() => expect(stops).toEqual([{ url: `/api/replies/${turn}/stop`, token: 'token-t' }]));
  });
});

describe('persistence', () => {
  it('keeps the thread id and transcript across a reload, then refreshes them from the server', async () => {
    const server = streamingFetch();
    const transport = createHttpTransport({ endpoint: '/api', fetch: server.fetch });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <ConciergeProvider transport={transport}>{children}</ConciergeProvider>
    );
    const first = renderHook(() => useThread(), { wrapper });
    let sending!: Promise<void>;
    act(() => {
      sending = first.result.current.send('Where is my order?');
    });
    await settle();
    server.emit('start', { threadId: 'thread-7', messageId: 'm1' });
    server.emit('delta', { text: 'On its way.' });
    server.emit('done', { threadId: 'thread-7', messageId: 'm1' });
    await act(() => sending);
    first.unmount();

    const history: ThreadHistory = {
      threadId: 'thread-7',
      messages: [
        { id: 'u1', role: 'user', text: 'Where is my order?', createdAt: '2026-11-01T10:00:00Z' },
        { id: 'm1', role: 'assistant', text: 'On its way, arriving Friday.', createdAt: '2026-11-01T10:00:01Z' },
      ],
    };
    const historyFetch = vi.fn(async () => Response.json(history));
    const reloaded = renderHook(() => useThread(), {
      wrapper: ({ children }) => (
        <ConciergeProvider transport={createHttpTransport({ endpoint: '/api', fetch: historyFetch })}>
          {children}
        </ConciergeProvider>
      ),
    });
    expect(reloaded.result.current.threadId).toBe('thread-7');
    expect(reloaded.result.current.messages.map((message) => message.text)).toEqual(['Where is my order?', 'On its way.']);
    await waitFor(() => expect(reloaded.result.current.messages[1]!.text).toBe('On its way, arriving Friday.'));
    expect(historyFetch).toHaveBeenCalledWith('/api/threads/thread-7', expect.anything());
  });

  it('keeps two providers apart', async () => {
    const server = streamingFetch();
    const transport = createHttpTransport({ endpoint: '/api', fetch: server.fetch });
    const a = renderHook(() => useThread(), {
      wrapper: ({ children }) => <ConciergeProvider transport={transport} storageKey="a">{children}</ConciergeProvider>,
    });
    const b = renderHook(() => useThread(), {
      wrapper: ({ children }) => <ConciergeProvider transport={transport} storageKey="b">{children}</ConciergeProvider>,
    });
    act(() => {
      void a.result.current.send('Only in A');
    });
    expect(a.result.current.messages).toHaveLength(1);
    expect(b.result.current.messages).toHaveLength(0);
  });
});

describe('following props', () => {
  it('applies a changed endpoint, headers, fetch and context to the next request without remounting', async () => {
    const seen: { url: string; headers: Record<string, string>; body: Record<string, unknown>; by: string }[] = [];
    const fetchNamed = (by: string) =>
      vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
        seen.push({ url: String(url), headers: init?.headers as Record<string, string>, body: JSON.parse(String(init?.body)), by });
        const done = `event: start\ndata: {"threadId":"t","messageId":"m${seen.length}"}\n\nevent: done\ndata: {"threadId":"t","messageId":"m${seen.length}"}\n\n`;
        return new Response(done, { headers: { 'content-type': 'text/event-stream' } });
      });
    const first = fetchNamed('first');
    const second = fetchNamed('second');
    let mounts = 0;
    function Chat() {
      const send = useThread((thread) => thread.send);
      useEffect(() => void mounts++, []);
      return <button onClick={() => void send('Hi')}>send</button>;
    }
    const view = (endpoint: string, token: string, fetch: typeof globalThis.fetch, page: string) => (
      <ConciergeProvider endpoint={endpoint} headers={{ authorization: token }} fetch={fetch} context={{ pageUrl: page }} storage={null}>
        <Chat />
      </ConciergeProvider>
    );
    const { rerender } = render(view('/api/one', 'Bearer a', first, 'https://shop.example/a'));
    await act(async () => screen.getByText('send').click());
    await settle();
    rerender(view('/api/two', 'Bearer b', second, 'https://shop.example/b'));
    await act(async () => screen.getByText('send').click());
    await settle();
    expect(mounts).toBe(1);
    expect(seen.map(({ url, headers, body, by }) => [url, headers.authorization, body.pageUrl, by])).toEqual([
      ['/api/one/messages', 'Bearer a', 'https://shop.example/a', 'first'],
      ['/api/two/messages', 'Bearer b', 'https://shop.example/b', 'second'],
    ]);
    expect(seen[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('rendering only what is read', () => {
  it('a component selecting only actions and isBusy does not re-render when a message is added', async () => {
    const server = streamingFetch();
    const transport = createHttpTransport({ endpoint: '/api', fetch: server.fetch });
    const commits = { actions: 0, list: 0 };
    let actions!: { send: UseThreadResult['send']; isBusy: boolean };
    function Actions() {
      actions = useThread((thread) => ({ send: thread.send, isBusy: thread.isBusy }));
      return null;
    }
    function List() {
      const messages = useThread((thread) => thread.messages);
      return <p>{messages.length}</p>;
    }
    render(
      <ConciergeProvider transport={transport} storage={null}>
        <Profiler id="actions" onRender={() => commits.actions++}>
          <Actions />
        </Profiler>
        <Profiler id="list" onRender={() => commits.list++}>
          <List />
        </Profiler>
      </ConciergeProvider>,
    );
    let sending!: Promise<void>;
    act(() => {
      sending = actions.send('Hi');
    });
    await settle();
    const afterSend = { ...commits };
    server.emit('start', { threadId: 't', messageId: 'm' });
    server.emit('delta', { text: 'Hello' });
    await settle();
    server.emit('done', { threadId: 't', messageId: 'm' });
    server.close();
    await act(() => sending);
    // The reply was added (the list re-rendered) while isBusy stayed true until the end: one commit, for isBusy.
    expect(commits.list).toBeGreaterThan(afterSend.list);
    expect(commits.actions - afterSend.actions).toBe(1);
    expect(actions.isBusy).toBe(false);
  });
});

describe('the provider transport', () => {
  it("forwards the latest transport's methods, and has none the transport lacks", async () => {
    const calls: string[] = [];
    const minimal = (name: string) => ({
      async *sendMessage() {
        calls.push(`${name}:send`);
        yield { type: 'start' as const, threadId: 't', messageId: 'm' };
        yield { type: 'delta' as const, text: 'Hi' };
        yield { type: 'done' as const, threadId: 't', messageId: 'm' };
      },
      getThread: async () => ({ threadId: 't', messages: [] }),
      getProductFaqs: async () => ({ status: 'not_available' as const, faqs: [] as [] }),
    });
    const first = minimal('first');
    const second = { ...minimal('second'), sendFeedback: async () => (calls.push('second:feedback'), { recorded: true as const, duplicate: false }) };
    let transport: ReturnType<typeof minimal> = first;
    const { result, rerender } = renderHook(() => useThread(), {
      wrapper: ({ children }) => (
        <ConciergeProvider transport={transport} storage={null}>
          {children}
        </ConciergeProvider>
      ),
    });
    await act(() => result.current.send('One'));
    await expect(result.current.feedback('m', 'up')).rejects.toMatchObject({ code: 'invalid_request' });
    transport = second;
    rerender();
    await act(() => result.current.feedback('m', 'up'));
    await act(() => result.current.send('Two'));
    expect(calls).toEqual(['first:send', 'second:feedback', 'second:send']);
    expect(result.current.messages.find((message) => message.id === 'm')?.feedback).toEqual({ rating: 'up' });
  });
});
