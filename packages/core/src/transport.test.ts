import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConciergeError } from './errors';
import { encodeStreamEvent, LIMITS, type StreamEvent } from './protocol';
import { createHttpTransport } from './transport';

/** A recorded reply from the proxy, as it arrives on the wire. */
const RECORDED_STREAM = [
  'id: m1:0\nevent: start\ndata: {"threadId":"t1","messageId":"m1"}\n\n',
  'id: m1:1\nevent: delta\ndata: {"text":"Returns are "}\n\n',
  'id: m1:2\nevent: delta\ndata: {"text":"free within 30 days."}\n\n',
  ': keep-alive comment\n\n',
  'id: m1:3\nevent: sources\ndata: {"sources":[{"title":"Returns","url":"/policies/returns","relevance":0.9}]}\n\n',
  'id: m1:4\nevent: done\ndata: {"threadId":"t1","messageId":"m1","confidence":0.8}\n\n',
].join('');

function sseResponse(text: string, chunkSize = 7): Response {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Deliberately split across event and UTF-8 boundaries.
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        controller.enqueue(bytes.slice(offset, offset + chunkSize));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const result: StreamEvent[] = [];
  for await (const event of events) result.push(event);
  return result;
}

async function failure(promise: Promise<unknown>): Promise<ConciergeError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(ConciergeError.isInstance(error)).toBe(true);
  return error as ConciergeError;
}

describe('createHttpTransport', () => {
  it('posts the message as JSON and parses the SSE reply in order', async () => {
    const requests: { url: string; init: RequestInit }[] = [];
    const transport = createHttpTransport({
      endpoint: 'https://shop.example/api/concierge/',
      fetch: async (url, init) => {
        requests.push({ url: String(url), init: init! });
        return sseResponse(RECORDED_STREAM);
      },
    });

    const events = await collect(transport.sendMessage({ message: 'Return policy?', threadId: 't1' }));

    expect(requests[0]!.url).toBe('https://shop.example/api/concierge/messages');
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({ stream: true, message: 'Return policy?', threadId: 't1' });
    expect(new Headers(requests[0]!.init.headers).get('accept')).toContain('text/event-stream');
    expect(events).toEqual([
      { type: 'start', threadId: 't1', messageId: 'm1' },
      { type: 'delta', text: 'Returns are ' },
      { type: 'delta', text: 'free within 30 days.' },
      { type: 'sources', sources: [{ title: 'Returns', url: '/policies/returns', relevance: 0.9 }] },
      { type: 'done', threadId: 't1', messageId: 'm1', confidence: 0.8 },
    ]);
  });

  it('keeps multi-byte characters intact when chunks split them', async () => {
    const stream = 'event: start\ndata: {"threadId":"t","messageId":"m"}\n\nevent: delta\ndata: {"text":"Größe – 日本 ✓"}\n\nevent: done\ndata: {"threadId":"t","messageId":"m"}\n\n';
    const transport = createHttpTransport({ endpoint: '/api', fetch: async () => sseResponse(stream, 3) });
    const events = await collect(transport.sendMessage({ message: 'x' }));
    expect(events[1]).toEqual({ type: 'delta', text: 'Größe – 日本 ✓' });
  });

  it('turns a JSON reply into the same events', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () =>
        Response.json({ threadId: 't2', messageId: 'm2', text: 'Hello', sources: [], confidence: 0.5 }),
    });
    expect(await collect(transport.sendMessage({ message: 'hi' }))).toEqual([
      { type: 'start', threadId: 't2', messageId: 'm2' },
      { type: 'delta', text: 'Hello' },
      { type: 'sources', sources: [] },
      { type: 'done', threadId: 't2', messageId: 'm2', confidence: 0.5 },
    ]);
  });

  it('throws the typed error of an error body, with the field it names', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () =>
        Response.json(
          { error: { code: 'invalid_request', message: 'pageUrl must be an http or https URL.', field: 'pageUrl' } },
          { status: 400 },
        ),
    });
    const error = await failure(collect(transport.sendMessage({ message: 'hi' })));
    expect(error.code).toBe('invalid_request');
    expect(error.field).toBe('pageUrl');
    expect(error.status).toBe(400);
    expect(error.isRetryable).toBe(false);
  });

  it('takes the wait of a 429 from Retry-After when the body has none', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () =>
        Response.json(
          { error: { code: 'rate_limited', message: 'Slow down.' } },
          { status: 429, headers: { 'retry-after': '12' } },
        ),
    });
    const error = await failure(collect(transport.sendMessage({ message: 'hi' })));
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(12);
    expect(error.isRetryable).toBe(true);
  });

  it('maps a 5xx without a Concierge body to upstream_unavailable', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }),
    });
    const error = await failure(collect(transport.sendMessage({ message: 'hi' })));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.isRetryable).toBe(true);
  });

  it('throws the code of an error event that ends a stream', async () => {
    const stream =
      'event: start\ndata: {"threadId":"t","messageId":"m"}\n\nevent: delta\ndata: {"text":"Par"}\n\nevent: error\ndata: {"code":"upstream_timeout","message":"Too slow."}\n\n';
    const transport = createHttpTransport({ endpoint: '/api', fetch: async () => sseResponse(stream) });
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of transport.sendMessage({ message: 'hi' })) seen.push(event);
      })(),
    );
    expect(seen.map((event) => event.type)).toEqual(['start', 'delta']);
    expect(error.code).toBe('upstream_timeout');
  });

  it('reports a stream cut before done as upstream_unavailable', async () => {
    const stream = 'event: start\ndata: {"threadId":"t","messageId":"m"}\n\nevent: delta\ndata: {"text":"Par"}\n\n';
    const transport = createHttpTransport({ endpoint: '/api', fetch: async () => sseResponse(stream) });
    const error = await failure(collect(transport.sendMessage({ message: 'hi' })));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toMatch(/cut off/);
  });

  it('resumes a stream cut after its first events from the last event id, with the key and thread token, and yields each event once', async () => {
    const frames = RECORDED_STREAM.split(/(?<=\n\n)/);
    const requests: { url: string; headers: Record<string, string> }[] = [];
    let failures = 1;
    const transport = createHttpTransport({
      endpoint: '/api/concierge',
      fetch: async (url, init) => {
        const headers = init!.headers as Record<string, string>;
        requests.push({ url: String(url), headers });
        if (requests.length === 1) return sseResponse(frames.slice(0, 2).join('') + 'id: m1:2\nevent: del');
        // The first try to resume fails as a dropped network would; the next is answered.
        if (failures-- > 0) throw new TypeError('fetch failed');
        return sseResponse(frames.slice(2).join(''));
      },
    });
    const events = await collect(transport.sendMessage({ message: 'Hi' }, { idempotencyKey: 'turn-1', threadToken: 'tok' }));
    expect(events.map((event) => event.type)).toEqual(['start', 'delta', 'delta', 'sources', 'done']);
    expect(requests.slice(1).map((request) => [request.url, request.headers['last-event-id'], request.headers['concierge-thread-token']])).toEqual([
      ['/api/concierge/replies/turn-1', 'm1:1', 'tok'],
      ['/api/concierge/replies/turn-1', 'm1:1', 'tok'],
    ]);
  });

  it('ends as upstream_unavailable when the reply can no longer be resumed, or without a key to resume it by', async () => {
    const cut = 'id: m1:0\nevent: start\ndata: {"threadId":"t1","messageId":"m1"}\n\n';
    const gone = createHttpTransport({
      endpoint: '/api/concierge',
      fetch: async (url) => (String(url).endsWith('/messages') ? sseResponse(cut) : Response.json({ error: { code: 'not_found', message: 'No reply has that key.' } }, { status: 404 })),
    });
    const error = await failure(collect(gone.sendMessage({ message: 'Hi' }, { idempotencyKey: 'turn-1' })));
    expect(error.code).toBe('upstream_unavailable');
    let calls = 0;
    const keyless = createHttpTransport({ endpoint: '/api/concierge', fetch: async () => (calls++, sseResponse(cut)) });
    expect((await failure(collect(keyless.sendMessage({ message: 'Hi' })))).code).toBe('upstream_unavailable');
    expect(calls).toBe(1);
  });

  it('asks the proxy to stop a reply by its key', async () => {
    const requests: [string, RequestInit][] = [];
    const transport = createHttpTransport({ endpoint: '/api/concierge', fetch: async (url, init) => (requests.push([String(url), init!]), Response.json({ stopped: true })) });
    await transport.stopReply!('turn 1', { threadToken: 'tok' });
    expect(requests[0]![0]).toBe('/api/concierge/replies/turn%201/stop');
    expect(requests[0]![1].method).toBe('POST');
    expect((requests[0]![1].headers as Record<string, string>)['concierge-thread-token']).toBe('tok');
  });

  it('reports invalid event JSON as upstream_malformed', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () => sseResponse('event: delta\ndata: {not json\n\n'),
    });
    expect((await failure(collect(transport.sendMessage({ message: 'hi' })))).code).toBe('upstream_malformed');
  });

  it('reports a failed fetch as a retryable network error', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const error = await failure(collect(transport.sendMessage({ message: 'hi' })));
    expect(error.code).toBe('network');
    expect(error.isRetryable).toBe(true);
  });

  it('stops reading when the signal aborts, reporting aborted', async () => {
    const controller = new AbortController();
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async (_url, init) => {
        const body = new ReadableStream<Uint8Array>({
          start(stream) {
            stream.enqueue(new TextEncoder().encode('event: start\ndata: {"threadId":"t","messageId":"m"}\n\n'));
            init!.signal!.addEventListener('abort', () => stream.error(init!.signal!.reason));
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of transport.sendMessage({ message: 'hi' }, { signal: controller.signal })) {
          seen.push(event.type);
          controller.abort();
        }
      })(),
    );
    expect(seen).toEqual(['start']);
    expect(error.code).toBe('aborted');
  });

  it('fetches a thread history and encodes the thread id', async () => {
    let requested = '';
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async (url) => {
        requested = String(url);
        return Response.json({ threadId: 'a/b', messages: [] });
      },
    });
    expect(await transport.getThread('a/b')).toEqual({ threadId: 'a/b', messages: [] });
    expect(requested).toBe('/api/threads/a%2Fb');
  });

  it('throws not_found for an unknown thread', async () => {
    const transport = createHttpTransport({
      endpoint: '/api',
      fetch: async () => Response.json({ error: { code: 'not_found', message: 'No thread.' } }, { status: 404 }),
    });
    expect((await failure(transport.getThread('nope'))).code).toBe('not_found');
  });
});

describe('the reply parser', () => {
  const replyEvents = fc.tuple(
    fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.record({ title: fc.string({ unit: 'grapheme', maxLength: 10 }), url: fc.constantFrom('/a', 'https://shop.example/ü') }), { maxLength: 3 }),
  ).map(([deltas, sources]): StreamEvent[] => [
    { type: 'start', threadId: 't', messageId: 'm' },
    ...deltas.map((text): StreamEvent => ({ type: 'delta', text })),
    { type: 'sources', sources },
    { type: 'done', threadId: 't', messageId: 'm' },
  ]);

  async function parse(chunks: Uint8Array[]): Promise<StreamEvent[]> {
    const fetch = async () =>
      new Response(new ReadableStream({ start: (controller) => (chunks.forEach((chunk) => controller.enqueue(chunk)), controller.close()) }), {
        headers: { 'content-type': 'text/event-stream' },
      });
    const events: StreamEvent[] = [];
    for await (const event of createHttpTransport({ endpoint: '/api', fetch }).sendMessage({ message: 'Hi' })) events.push(event);
    return events;
  }

  it('yields the same events however the bytes are split, inside UTF-8 characters and CRLF included', async () => {
    await fc.assert(
      fc.asyncProperty(replyEvents, fc.constantFrom('\n', '\r\n'), fc.array(fc.nat(), { maxLength: 30 }), async (events, eol, cuts) => {
        const wire = events.map((event, index) => encodeStreamEvent(event, `m:${index}`).replaceAll('\n', eol)).join('');
        const bytes = new TextEncoder().encode(wire);
        const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...offsets, bytes.length].slice(1).map((end, index, ends) => bytes.slice(index ? ends[index - 1] : 0, end));
        expect(await parse(chunks.filter((chunk) => chunk.length))).toEqual(events);
      }),
      { numRuns: 300, seed: 1123 },
    );
  });

  it('refuses an endless line once it passes the bound, without buffering it', async () => {
    let pulled = 0;
    const piece = new TextEncoder().encode('x'.repeat(16_384));
    const fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new TextEncoder().encode('event: delta\ndata: ')),
          pull: (controller) => {
            pulled += piece.length;
            controller.enqueue(piece);
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const failure = await (async () => {
      for await (const event of createHttpTransport({ endpoint: '/api', fetch }).sendMessage({ message: 'Hi' })) void event;
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_malformed', message: 'An event of the reply was longer than allowed.' });
    expect(pulled).toBeGreaterThan(LIMITS.eventMaxChars);
    expect(pulled).toBeLessThan(LIMITS.eventMaxChars + 4 * piece.length);
  });
});
