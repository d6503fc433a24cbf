import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientAddress, recordSocketAddress } from './client-address';
import { createConciergeHandler } from './handler';
import { createLocalProvider } from './local/local-provider';
import { createNextRouteHandlers } from './next';
import { createNodeServer } from './node';
import type { AddressInfo } from 'node:net';

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));

function handler(options: Parameters<typeof createConciergeHandler>[0] extends infer T ? Partial<T> : never = {}) {
  return createConciergeHandler({ provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }), ...options });
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return new Request('https://shop.example/api/concierge/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7', ...headers },
    body: JSON.stringify(body),
  });
}

describe('CORS', () => {
  it('lets a listed origin read replies and answers its preflight', async () => {
    const proxy = handler({ allowedOrigins: ['https://www.shop.example'] });
    const preflight = await proxy(
      new Request('https://shop.example/api/concierge/messages', {
        method: 'OPTIONS',
        headers: { origin: 'https://www.shop.example', 'access-control-request-method': 'POST' },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    // A turn's Idempotency-Key and a storefront's auth header may be sent cross-origin.
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const reply = await proxy(post({ message: 'Refunds?', stream: false }, { origin: 'https://www.shop.example' }));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
    expect(reply.headers.get('vary')).toContain('Origin');
  });

  it('never reflects an origin that is not listed, and refuses its requests', async () => {
    const proxy = handler({ allowedOrigins: ['https://www.shop.example'] });
    const preflight = await proxy(
      new Request('https://shop.example/api/concierge/messages', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }),
    );
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const reply = await proxy(post({ message: 'Refunds?', stream: false }, { origin: 'https://evil.example' }));
    expect(reply.status).toBe(403);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('recognises the same origin by the Host header when a framework rewrote the URL', async () => {
    const proxy = handler();
    const request = new Request('http://localhost:3000/api/concierge/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' },
      body: JSON.stringify({ message: 'Refunds?', stream: false }),
    });
    expect((await proxy(request)).status).toBe(200);
  });

  it('always allows the same origin, with or without an Origin header', async () => {
    const proxy = handler();
    expect((await proxy(post({ message: 'Refunds?', stream: false }, { origin: 'https://shop.example' }))).status).toBe(200);
    expect((await proxy(post({ message: 'Refunds?', stream: false }))).status).toBe(200);
  });
});

describe('rate limiting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('announces the policy and remaining quota, then answers 429 with Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const proxy = handler({ rateLimit: { limit: 2, windowSeconds: 60 }, trustProxy: 1 });
    const first = await proxy(post({ message: 'Refunds?', stream: false }));
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    expect(first.headers.get('ratelimit')).toBe('"default";r=1;t=60');
    vi.setSystemTime(Date.now() + 15_000);
    expect((await proxy(post({ message: 'Refunds?', stream: false }))).headers.get('ratelimit')).toBe('"default";r=0;t=45');
    const limited = await proxy(post({ message: 'Refunds?', stream: false }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(limited.headers.get('ratelimit')).toBe('"default";r=0;t=45');
    expect(((await limited.json()) as { error: { retryAfterSeconds: number } }).error.retryAfterSeconds).toBe(45);

    // Another client has its own quota; the first one's returns with the next window.
    expect((await proxy(post({ message: 'Refunds?', stream: false }, { 'x-forwarded-for': '198.51.100.2' }))).status).toBe(200);
    vi.advanceTimersByTime(45_000);
    expect((await proxy(post({ message: 'Refunds?', stream: false }))).status).toBe(200);
  });

  it('limits one thread whoever posts into it, and caps the whole store per day', async () => {
    const proxy = handler({ rateLimit: { limit: 100, threadLimit: 2, dailyLimit: 4 }, trustProxy: 1 });
    const first = (await (await proxy(post({ message: 'Refunds?', stream: false }))).json()) as { threadId: string; threadToken: string };
    const into = (address: string) =>
      proxy(post({ message: 'And shipping?', threadId: first.threadId, stream: false }, { 'x-forwarded-for': address, 'concierge-thread-token': first.threadToken }));
    expect((await into('198.51.100.1')).status).toBe(200);
    expect((await into('198.51.100.2')).status).toBe(200);
    const thread = await into('198.51.100.3');
    expect(thread.status).toBe(429);
    expect(thread.headers.get('ratelimit-policy')).toBe('"thread";q=2;w=60');
    // Four messages went through today (the first, two into the thread, and this one); the fifth is refused.
    expect((await proxy(post({ message: 'Hi', stream: false }, { 'x-forwarded-for': '198.51.100.9' }))).status).toBe(200);
    const daily = await proxy(post({ message: 'Hi', stream: false }, { 'x-forwarded-for': '198.51.100.10' }));
    expect(daily.status).toBe(429);
    expect(daily.headers.get('ratelimit-policy')).toBe('"daily";q=4;w=86400');
    expect(((await daily.json()) as { error: { message: string } }).error.message).toMatch(/too many messages today/);
  });

  it('limits the Stops that come before their turn (each is remembered), and never a Stop of a reply in flight', async () => {
    const proxy = handler({ rateLimit: { limit: 2, windowSeconds: 60 }, trustProxy: 1 });
    const stop = (key: string) =>
      proxy(new Request(`https://shop.example/api/concierge/replies/${key}/stop`, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.7' } }));
    expect((await stop(crypto.randomUUID())).status).toBe(200);
    expect((await stop(crypto.randomUUID())).status).toBe(200);
    const limited = await stop(crypto.randomUUID());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toBe('"stop";q=2;w=60');
    expect(((await limited.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/Too many Stops/) });
    // Messages have their own quota, and a reply in flight can always be stopped.
    const key = crypto.randomUUID();
    const reply = await proxy(post({ message: 'Tell me about refunds' }, { 'idempotency-key': key, accept: 'text/event-stream' }));
    expect(reply.status).toBe(200);
    const stopped = await stop(key);
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toEqual({ stopped: true });
    await reply.body?.cancel();
  });

  it('does not limit health checks', async () => {
    const proxy = handler({ rateLimit: { limit: 1, windowSeconds: 60 } });
    expect((await proxy(new Request('https://shop.example/api/concierge/health'))).headers.get('ratelimit')).toBeNull();
  });
});

describe('the client address', () => {
  const request = (forwardedFor?: string) =>
    new Request('https://shop.example/', forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});

  it('never takes X-Forwarded-For unless proxies in front are trusted', () => {
    expect(clientAddress(request('203.0.113.7'))).toBe('unknown');
    const fromSocket = request('203.0.113.7');
    recordSocketAddress(fromSocket, '192.0.2.10');
    expect(clientAddress(fromSocket)).toBe('192.0.2.10');
  });

  it('with N trusted proxies, takes the address the outermost of them saw, ignoring what the client wrote', () => {
    // The client claims 1.1.1.1; the trusted load balancer appended the address it really came from.
    expect(clientAddress(request('1.1.1.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(request('1.1.1.1, 2.2.2.2, 203.0.113.7, 10.0.0.2'), 2)).toBe('203.0.113.7');
    expect(clientAddress(request('203.0.113.7'), 2)).toBe('203.0.113.7');
  });
});

describe('the Node adapter', () => {
  it('takes the client address from the socket, so a forged X-Forwarded-For gets no fresh quota', async () => {
    const server = createNodeServer(handler({ rateLimit: { limit: 1, windowSeconds: 60 } }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/concierge/messages`;
    const send = (address: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ message: 'Refunds?', stream: false }),
      });
    try {
      expect((await send('192.0.2.1')).status).toBe(200);
      for (let index = 2; index < 12; index++) expect((await send(`192.0.2.${index}`)).status).toBe(429);
    } finally {
      server.close();
    }
  });
});

describe('the Next adapter', () => {
  it('gives forged X-Forwarded-For addresses no fresh quota when no proxy is trusted', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { POST } = createNextRouteHandlers({ kbDir: KB_DIR, env: { CONCIERGE_RATE_LIMIT: '5' } });
    const statuses: number[] = [];
    for (let index = 0; index < 10; index++) {
      statuses.push((await POST(post({ message: 'Refunds?', stream: false }, { 'x-forwarded-for': `198.51.100.${index}` }))).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
    expect(vi.mocked(console.warn).mock.calls.join('\n')).toContain('CONCIERGE_TRUST_PROXY is 0');
  });
});
