import type { ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killProxyProcess, startProxyProcess } from '../test/proxy-process';
import { startRedis } from '../test/redis-server';

// Three `concierge-proxy` processes (the built bin, as deployed) on one real Redis, behind a
// round-robin balancer on loopback that appends the client's address to X-Forwarded-For.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const SECRET = 'one-secret-shared-by-all-three-instances-42';

let redis: Awaited<ReturnType<typeof startRedis>>;
/** An OpenAI-compatible model on loopback that records the conversation each instance sends it. */
let model: Server;
const prompts: { role: string; content: string }[][] = [];
const instances: { port: number; child: ChildProcess }[] = [];
let balancer: Server;
let base = '';
const served: number[] = [];

function startInstance(port?: number) {
  return startProxyProcess(
    {
      CONCIERGE_KB_DIR: KB_DIR,
      CONCIERGE_PROVIDER: 'openai',
      OPENAI_BASE_URL: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`,
      OPENAI_MODEL: 'test-model',
      CONCIERGE_REDIS_URL: redis.url,
      CONCIERGE_SECRET: SECRET,
      CONCIERGE_RATE_LIMIT: '5',
      CONCIERGE_TRUST_PROXY: '1',
    },
    port,
  );
}

const stopInstance = killProxyProcess;

beforeAll(async () => {
  redis = await startRedis();
  model = createServer((incoming, outgoing) => {
    let text = '';
    incoming.on('data', (chunk) => (text += chunk));
    incoming.on('end', () => {
      const { messages } = JSON.parse(text) as { messages: { role: string; content: string }[] };
      prompts.push(messages);
      const answer = `Answer ${prompts.length}.`;
      const chunk = (content: string, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      outgoing.end(chunk(answer, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  instances.push(...(await Promise.all([startInstance(), startInstance(), startInstance()])));
  let next = 0;
  balancer = createServer((incoming, outgoing) => {
    const index = next++ % instances.length;
    served.push(index);
    // Every request comes from loopback here; `x-test-client` stands for the address a real client's socket would have.
    const realAddress = String(incoming.headers['x-test-client'] ?? incoming.socket.remoteAddress);
    const forwarded = [incoming.headers['x-forwarded-for'], realAddress].filter(Boolean).join(', ');
    const upstream = httpRequest(
      { host: '127.0.0.1', port: instances[index]!.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, 'x-forwarded-for': forwarded } },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}/api/concierge`;
}, 60_000);

afterAll(async () => {
  balancer?.close();
  model?.close();
  await Promise.all(instances.map(({ child }) => stopInstance(child)));
  await redis?.stop();
});

function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${base}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-client': '203.0.113.1', ...headers },
    body: JSON.stringify({ stream: false, ...body }),
  });
}

describe('three proxy instances on one Redis', () => {
  it('keep one thread across instances and restarts: history, follow-up context and tokens', async () => {
    const before = served.length;
    const first = (await (await post({ message: 'How long do refunds take?' })).json()) as { threadId: string; threadToken: string };
    const owner = { 'concierge-thread-token': first.threadToken };
    const asked = prompts.length;
    const second = await post({ message: 'And express shipping?', threadId: first.threadId }, owner);
    expect(second.status).toBe(200);
    // The instance that answered the follow-up sent the model the turn another instance answered.
    const conversation = prompts[asked]!.filter((message) => message.role !== 'system').map((message) => message.content);
    expect(conversation.slice(-3)).toEqual(['How long do refunds take?', `Answer ${asked}.`, 'And express shipping?']);
    const history = await fetch(`${base}/threads/${first.threadId}`, { headers: owner });
    expect(((await history.json()) as { messages: { role: string }[] }).messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    // Three requests, three different instances.
    expect(new Set(served.slice(before))).toEqual(new Set([0, 1, 2]));
    // Another client still cannot read it from any instance.
    for (let index = 0; index < 3; index++) expect((await fetch(`${base}/threads/${first.threadId}`)).status).toBe(404);

    // Every instance restarts; the thread is still there.
    for (const instance of instances) {
      await stopInstance(instance.child);
      instance.child = (await startInstance(instance.port)).child;
    }
    const again = await fetch(`${base}/threads/${first.threadId}`, { headers: owner });
    expect(((await again.json()) as { messages: unknown[] }).messages).toHaveLength(4);
  }, 60_000);

  it('accept exactly the limit in total from one client, whichever instance answers, and a forged address changes nothing', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 12; index++) {
      // The client claims a new address each time; the balancer appends the real one.
      const claims = { 'x-test-client': '203.0.113.99', 'x-forwarded-for': `198.51.100.${index}` };
      statuses.push((await post({ message: 'Do you ship to Canada?' }, claims)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  }, 30_000);

  it('generate a product page’s FAQs once: started on one instance, served ready by all', async () => {
    const page = `${base}/product-faqs?page_url=${encodeURIComponent('https://shop.example/products/cast-iron-skillet')}&count=3`;
    const before = served.length;
    expect((await fetch(page)).status).toBe(202);
    let statuses = [0];
    for (let attempt = 0; attempt < 40 && !statuses.every((status) => status === 200); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      statuses = await Promise.all([fetch(page), fetch(page), fetch(page)].map(async (response) => (await response).status));
    }
    expect(statuses).toEqual([200, 200, 200]);
    expect(new Set(served.slice(before))).toEqual(new Set([0, 1, 2]));
    const body = (await (await fetch(page)).json()) as { status: string; faqs: { question: string }[] };
    expect(body.status).toBe('ready');
    expect(body.faqs.map((faq) => faq.question)).toContain('What is the Cast Iron Skillet made of?');
  }, 30_000);

  it('answer a clear 503 JSON error while Redis is away, keep running, and recover when it is back', async () => {
    const first = (await (await post({ message: 'How long do refunds take?' }, { 'x-test-client': '203.0.113.50' })).json()) as {
      threadId: string;
      threadToken: string;
    };
    await redis.stop();
    for (let index = 0; index < 3; index++) {
      const reply = await post({ message: 'Do you ship to Canada?' }, { 'x-test-client': '203.0.113.51' });
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('2');
      expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
      const history = await fetch(`${base}/threads/${first.threadId}`, { headers: { 'concierge-thread-token': first.threadToken } });
      expect(history.status).toBe(503);
      expect((await fetch(`${base}/health`)).status).toBe(200);
    }
    expect(instances.every(({ child }) => child.exitCode === null)).toBe(true);

    redis = await startRedis(redis.port);
    let status = 0;
    for (let attempt = 0; attempt < 60 && status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await post({ message: 'Do you ship to Canada?' }, { 'x-test-client': `203.0.113.${60 + (attempt % 30)}` })).status;
    }
    expect(status).toBe(200);
  }, 60_000);
});
