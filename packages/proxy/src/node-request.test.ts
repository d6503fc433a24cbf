import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeStreamEvent, type StreamEvent } from '@concierge/core';
import { encodeLogged, type SseSource, sseResponse, takeSseText } from './sse-body';
import { callUpstream, upstreamEvents } from './upstream';

/** A vendor on loopback: JSON (gzip on request), a redirect, an SSE stream, and one that stalls. */
let server: Server;
let base = '';
let connections = 0;
let closed = 0;
let redirectTo = '';
const upstream = { vendor: 'Test vendor', keyVariable: 'TEST_KEY', apiKey: 'sk-test', timeoutMs: 300, log: () => {} };

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/gzip') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(gzipSync(JSON.stringify({ ok: true, authorization: request.headers.authorization })));
      } else if (request.url === '/away') {
        response.writeHead(302, { location: redirectTo }).end();
      } else if (request.url === '/moved') {
        response.writeHead(307, { location: '/gzip' }).end();
      } else if (request.url === '/stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
        setTimeout(() => response.end('data: {"n":2}\n\ndata: [DONE]\n\n'), 20);
      } else if (request.url === '/stall') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
      } else response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (socket) => {
    connections++;
    socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('vendor calls through Node’s HTTP client', () => {
  it('sends the key, undoes gzip, follows a redirect, and keeps the connection for the next call', async () => {
    const before = connections;
    for (const path of ['/gzip', '/moved', '/gzip']) {
      const response = await callUpstream(upstream, `${base}${path}`, { body: { message: 'hi' }, signal: new AbortController().signal });
      expect(await response.json()).toEqual({ ok: true, authorization: 'Bearer sk-test' });
    }
    expect(connections - before).toBe(1);
  });

  it('never sends the key to another origin a vendor redirects to', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const away = `http://localhost:${(elsewhere.address() as AddressInfo).port}/landing`;
    redirectTo = away;
    try {
      const response = await callUpstream(upstream, `${base}/away`, { signal: new AbortController().signal });
      expect(await response.json()).toEqual({ ok: true });
      expect(seen).toEqual([undefined]);
    } finally {
      elsewhere.closeAllConnections();
      elsewhere.close();
    }
  });

  it('hands a vendor stream to the SSE reader as Node’s own stream, with no Web stream in between', async () => {
    const response = await callUpstream(upstream, `${base}/stream`, { body: {}, accept: 'text/event-stream', signal: new AbortController().signal });
    expect(response.body).toBeNull();
    const data: string[] = [];
    for await (const message of upstreamEvents(response)) data.push(message.data);
    expect(data).toEqual(['{"n":1}', '{"n":2}', '[DONE]']);
  });

  it('reuses the connection of a stream whose reader stopped at [DONE], and cuts one still sending', async () => {
    const before = connections;
    for (let call = 0; call < 3; call++) {
      const response = await callUpstream(upstream, `${base}/stream`, { body: {}, accept: 'text/event-stream', signal: new AbortController().signal });
      for await (const message of upstreamEvents(response)) if (message.data === '[DONE]') break;
    }
    // At most one new connection for the three (an earlier test's may be reused).
    expect(connections - before).toBeLessThanOrEqual(1);
    // A vendor that goes on after the reader stopped loses the connection once the drain's bound passes.
    const closedBefore = closed;
    const response = await callUpstream(upstream, `${base}/stall`, { body: {}, accept: 'text/event-stream', signal: new AbortController().signal });
    for await (const _ of upstreamEvents(response)) break;
    await vi.waitFor(() => expect(closed).toBe(closedBefore + 1), { timeout: 3000 });
  });

  it('ends a stream that goes silent with upstream_timeout after the bound', async () => {
    const response = await callUpstream(upstream, `${base}/stall`, { body: {}, accept: 'text/event-stream', signal: new AbortController().signal });
    const started = Date.now();
    const data: string[] = [];
    await expect(
      (async () => {
        for await (const message of upstreamEvents(response)) data.push(message.data);
      })(),
    ).rejects.toMatchObject({ code: 'upstream_timeout', status: 504 });
    expect(data).toEqual(['{"n":1}']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('answers an unreachable vendor with upstream_unavailable', async () => {
    await expect(callUpstream(upstream, 'http://127.0.0.1:9/', { signal: new AbortController().signal })).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });
});

describe('SSE responses written as text', () => {
  /** Two events, the second a moment after the first. */
  const twoEvents: SseSource = (write, end) => {
    write('event: a\ndata: {}\n\n');
    const timer = setTimeout(() => {
      write('event: b\ndata: {}\n\n');
      end();
    }, 5);
    return () => clearTimeout(timer);
  };

  it('gives the source once to a server that writes it, and then never again', async () => {
    const response = sseResponse(twoEvents, { 'content-type': 'text/event-stream' });
    const source = takeSseText(response);
    expect(source).toBeDefined();
    expect(takeSseText(response)).toBeUndefined();
    const written: string[] = [];
    await new Promise<void>((resolve) => source!((text) => written.push(text), () => resolve()));
    expect(written.join('')).toBe('event: a\ndata: {}\n\nevent: b\ndata: {}\n\n');
  });

  it('keeps the Web body for hosts that read it, and no source once the body is being read', async () => {
    const response = sseResponse(twoEvents, { 'content-type': 'text/event-stream' });
    const reader = response.body!.getReader();
    expect(takeSseText(response)).toBeUndefined();
    const decoder = new TextDecoder();
    let text = '';
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += decoder.decode(next.value);
    expect(text).toBe('event: a\ndata: {}\n\nevent: b\ndata: {}\n\n');
  });

  it('errors the Web body with the failure that cut the reply', async () => {
    const failing: SseSource = (write, end) => {
      write('data: 0\n\n');
      setTimeout(() => end(new Error('store gone')), 5);
      return () => {};
    };
    const reader = sseResponse(failing, { 'content-type': 'text/event-stream' }).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 0\n\n');
    await expect(reader.read()).rejects.toThrow('store gone');
  });

  it('stops the source when a host cancels the Web body mid-reply', async () => {
    let stopped = false;
    let index = 0;
    const endless: SseSource = (write) => {
      write(`data: ${index++}\n\n`);
      const timer = setInterval(() => write(`data: ${index++}\n\n`), 5);
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    };
    const reader = sseResponse(endless, { 'content-type': 'text/event-stream' }).body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('data: 0\n\n');
    expect(decoder.decode((await reader.read()).value)).toBe('data: 1\n\n');
    await reader.cancel();
    expect(stopped).toBe(true);
  });
});

describe('SSE encoded from the logged JSON', () => {
  it('writes exactly what encodeStreamEvent writes, without stringifying again', () => {
    const events: StreamEvent[] = [
      { type: 'delta', text: 'Hé "quoted" \n line\u2028' },
      { type: 'sources', sources: [{ title: 'Returns', url: '/returns' }] },
      { type: 'done', threadId: 't1', messageId: 'm1', confidence: 0.5 },
      { type: 'error', code: 'aborted', message: 'The reply was stopped.' },
    ];
    for (const event of events) expect(encodeLogged(event, 'r/0-1', JSON.stringify(event))).toBe(encodeStreamEvent(event, 'r/0-1'));
    // A JSON whose `type` is not first, or none at all, is encoded from the event.
    const reordered = { text: 'hi', type: 'delta' } as StreamEvent;
    expect(encodeLogged(reordered, 'r/0-2', JSON.stringify(reordered))).toBe(encodeStreamEvent(reordered, 'r/0-2'));
    expect(encodeLogged(events[0]!, 'r/0-3', undefined)).toBe(encodeStreamEvent(events[0]!, 'r/0-3'));
  });
});
