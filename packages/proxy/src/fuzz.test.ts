import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConciergeHandler } from './handler';
import { createLocalProvider } from './local/local-provider';
import { createNodeServer } from './node';

// Generated hostile requests against the real Node server on loopback: every route, every method,
// broken paths, headers and bodies. The proxy must answer each with a 4xx JSON error naming the
// problem (or a normal answer), never a 5xx, a crash or a hang, and hold its memory.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
let port = 0;
let close: () => void = () => {};

beforeAll(async () => {
  const handler = createConciergeHandler({
    provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }),
    rateLimit: false,
    allowedOrigins: ['https://shop.example'],
    onError: (error) => {
      throw error;
    },
  });
  const server = createNodeServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  close = () => server.close();
});

afterAll(() => close());

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function send({ method, path, headers, body }: Sent): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers, timeout: 10_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] ?? '', text }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in 10 s: ${method} ${path}`)));
    request.on('error', reject);
    request.end(body);
  });
}

const percentJunk = fc.constantFrom('%ZZ', '%C0%AF', '%', '%E0%A4%A', '%00', '%2F', '..', '%F0%9F%92%A5', '%uD800', '');
const segment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.tuple(fc.string({ maxLength: 10 }).map(encodeURIComponent), percentJunk).map(([text, junk]) => text + junk),
  fc.constantFrom('t1', '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', '802300', 'a'.repeat(200), 'chosen-by-attacker-1'),
);
const path = fc.oneof(
  fc.constantFrom('/api/concierge', '/api/concierge/', '/api/concierge/messages', '/api/concierge/health', '/api/concierge/threads', '/'),
  segment.map((id) => `/api/concierge/threads/${id}`),
  fc.tuple(segment, segment).map(([a, b]) => `/api/concierge/${a}/${b}`),
  fc.tuple(segment, segment, fc.constantFrom('page_url', 'locale', 'count', 'x')).map(
    ([url, locale, name]) => `/api/concierge/product-faqs?page_url=${url}&locale=${locale}&${name}=${url}`,
  ),
  fc.webUrl().map((url) => `/api/concierge/product-faqs?page_url=${encodeURIComponent(url)}&count=3`),
);
const jsonish = fc.oneof(fc.jsonValue(), fc.constantFrom(null, '', [], {}, 1e308, -1, '\u0000', '💥'.repeat(300)));
const messageBody = fc
  .record(
    {
      message: fc.oneof(fc.string({ maxLength: 60 }), fc.constant('What is your return policy?'), jsonish),
      threadId: fc.oneof(segment, jsonish),
      locale: fc.oneof(fc.constantFrom('en', 'fr-CA', 'xx-invalid-', ''), jsonish),
      pageUrl: fc.oneof(fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'ftp://x', ''), jsonish),
      metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 40 }), jsonish),
      stream: fc.oneof(fc.boolean(), jsonish),
      faqId: fc.oneof(fc.integer(), jsonish),
      channel: fc.oneof(fc.constantFrom('api', 'sms', 'fax'), jsonish),
      extra: jsonish,
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));
const body = fc.oneof(
  messageBody,
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '{', '{"message":', 'null', '[]', '{"__proto__":{"polluted":true},"message":"hi"}'),
  fc.constant(`{"message":"${'x'.repeat(70_000)}"}`),
);
const requestArbitrary: fc.Arbitrary<Sent> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'FOO'),
    path,
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data', undefined),
    origin: fc.constantFrom(undefined, 'https://shop.example', 'https://evil.example', 'null'),
    accept: fc.constantFrom(undefined, 'text/event-stream', 'application/json', '*/*'),
    forwardedFor: fc.constantFrom(undefined, '1.2.3.4', 'garbage, , ::1', '💥'.replace(/[^\x20-\x7e]/g, '?')),
    body: fc.option(body, { nil: undefined }),
  })
  .map(({ method, path, contentType, origin, accept, forwardedFor, body }) => {
    const headers: Record<string, string> = {};
    if (contentType) headers['content-type'] = contentType;
    if (origin) headers.origin = origin;
    if (accept) headers.accept = accept;
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    const sendsBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
    return { method, path, headers, ...(sendsBody ? { body } : {}) };
  });

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('generated hostile requests', () => {
  it('10,000 of them get only 4xx JSON errors or normal answers, never a 5xx, and memory stays flat', async () => {
    const statuses = new Map<number, number>();
    let heapAfterWarmUp = 0;
    let count = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (sent) => {
        const { status, type, text } = await send(sent);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (++count === 2000) heapAfterWarmUp = heapAfterGc();
        expect(status, `${sent.method} ${sent.path}`).toBeGreaterThanOrEqual(200);
        expect(status, `${sent.method} ${sent.path} ${sent.body?.slice(0, 200)}`).toBeLessThan(500);
        if (status >= 400 && sent.method !== 'HEAD') {
          expect(type).toContain('application/json');
          const error = (JSON.parse(text) as { error: { code: string; message: string } }).error;
          expect(error.code).toMatch(/^[a-z_]+$/);
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 10_000, seed: 20261123 },
    );
    const growth = heapAfterGc() - heapAfterWarmUp;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Every kind of answer was reached, so the generator does exercise the routes.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 204, 400, 403, 404, 405, 413, 415]));
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  }, 180_000);
});

describe('requests the handler never sees', () => {
  it.each([
    ['TRACE', undefined, 405],
    ['TRACE', '{"message":"hi"}', 400],
  ])('%s (body %s) gets a %i JSON error', async (method, body, expected) => {
    const path = '/api/concierge/health';
    const { status, type, text } = await send({ method, path, headers: body ? { 'content-type': 'application/json' } : {}, body });
    expect(status).toBe(expected);
    expect(type).toContain('application/json');
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toMatch(/method_not_allowed|invalid_request/);
  });

  it('CONNECT gets a 405 JSON error and the connection is closed', async () => {
    const { connect } = await import('node:net');
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(port, '127.0.0.1', () => socket.write('CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n'));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('bad percent-encoding in a thread id is a 400 naming the path', async () => {
    for (const id of ['%ZZ', '%C0%AF', '%E0%A4%A']) {
      const { status, text } = await send({ method: 'GET', path: `/api/concierge/threads/${id}`, headers: {} });
      expect(status).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_request', field: 'path' } });
    }
  });

  it('a body refused unread closes the keep-alive connection instead of leaving the client waiting', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = `{"message":"${'x'.repeat(100_000)}"}`;
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/concierge/messages', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
        },
      );
      request.on('error', reject);
      request.end(big);
    });
    expect(answer).toEqual({ status: 413, connection: 'close' });
    const next = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/concierge/health', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(next).toBe(200);
    agent.destroy();
  });
});
