import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../packages/proxy/test/redis-server';
import { startFaultProxy, type FaultProxy } from '../test/fault-proxy';
import { launchChromium, startStorefront } from './storefront-server';

// Replies that survive the wire, in Chromium on the demo store (local provider, paced so a reply
// takes a few seconds): a connection cut mid-reply, a reload mid-reply, and the instance
// producing the reply killed while another one, on the same Redis, stays up.

const QUESTION = 'What is your return policy?';
const PACE = { CONCIERGE_LOCAL_CHUNK_DELAY_MS: '60' };

let browser: Browser;
let storefront: Awaited<ReturnType<typeof startStorefront>>;
let front: FaultProxy;
/** The reply as a shopper sees it with nothing going wrong. */
let reference = '';

beforeAll(async () => {
  [storefront, browser] = await Promise.all([startStorefront(PACE), launchChromium()]);
  front = await startFaultProxy({ port: storefront.port });
  const context = await browser.newContext();
  const page = await context.newPage();
  const dialog = await openChat(page, front.url);
  await ask(dialog, QUESTION);
  await finished(page);
  reference = (await replies(page))[0]!;
  expect(reference).toContain('within 30 days of delivery');
  await context.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await front?.close();
  storefront?.close();
});

async function openChat(page: Page, origin: string) {
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
  await dialog.getByRole('textbox', { name: 'Message' }).waitFor();
  return dialog;
}

async function ask(dialog: ReturnType<Page['getByRole']>, question: string) {
  await dialog.getByRole('textbox', { name: 'Message' }).fill(question);
  await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
}

/** Waits until no reply streams and the composer can send. */
async function finished(page: Page) {
  await page.locator('.concierge-log article[data-role="assistant"]').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.concierge-log [data-status="streaming"]') && document.querySelector('.concierge-log article[data-role="assistant"]'), null, { timeout: 30_000 });
  await page.getByRole('dialog', { name: 'Larkfield help' }).getByRole('button', { name: 'Send' }).waitFor();
}

const replies = (page: Page) => page.locator('.concierge-log article[data-role="assistant"] .concierge-bubble').allTextContents();
const articles = (page: Page) =>
  page.locator('.concierge-log article').evaluateAll((nodes) =>
    nodes.map((node) => {
      const { role, turn, status } = (node as HTMLElement).dataset;
      return `${role}:${(role === 'user' ? turn : status) ?? '-'}`;
    }),
  );

/** Waits until the reply on screen has at least `length` characters. */
const streamed = (page: Page, length: number) =>
  page.waitForFunction(
    (min) => (document.querySelector('.concierge-log [data-status="streaming"] .concierge-bubble')?.textContent?.length ?? 0) >= min,
    length,
    { timeout: 30_000 },
  );

/** The proxy requests the context's pages make: messages (with their key) and resumes. */
function watch(context: BrowserContext) {
  const seen: { kind: 'message' | 'resume' | 'stop'; key: string | undefined }[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (request.method() === 'POST' && url.endsWith('/api/concierge/messages')) seen.push({ kind: 'message', key: request.headers()['idempotency-key'] });
    else if (url.includes('/api/concierge/replies/')) seen.push({ kind: url.endsWith('/stop') ? 'stop' : 'resume', key: decodeURIComponent(url.split('/replies/')[1]!.split('/')[0]!) });
  });
  return seen;
}

describe('replies that survive the wire, in Chromium', () => {
  it('the connection is cut mid-reply: the reply resumes where it was and completes, sent once', async () => {
    const context = await browser.newContext();
    const seen = watch(context);
    const page = await context.newPage();
    const dialog = await openChat(page, front.url);
    // The message's response is cut after its first events (headers, start, a few words).
    front.arm('POST /api/concierge/messages', { cutAfterBytes: 1400 });
    const triggered = front.stats().triggered;
    await ask(dialog, QUESTION);
    await finished(page);
    expect(front.stats().triggered).toBe(triggered + 1);
    expect(await replies(page)).toEqual([reference]);
    expect(await articles(page)).toEqual(['user:done', 'assistant:-']);
    const messages = seen.filter((request) => request.kind === 'message');
    expect(messages).toHaveLength(1);
    expect(seen.filter((request) => request.kind === 'resume').map((request) => request.key)).toContain(messages[0]!.key);
    await context.close();
  }, 60_000);

  it('the page is reloaded mid-reply: the reply shows again from its start and completes, the turn sent with the same key', async () => {
    const context = await browser.newContext();
    const seen = watch(context);
    const page = await context.newPage();
    const dialog = await openChat(page, storefront.origin);
    await ask(dialog, QUESTION);
    await streamed(page, 20);
    await page.reload();
    await page.getByRole('dialog', { name: 'Larkfield help' }).waitFor();
    // The partial reply is back before the reply ends.
    await streamed(page, 1);
    await finished(page);
    expect(await replies(page)).toEqual([reference]);
    expect(await articles(page)).toEqual(['user:done', 'assistant:-']);
    const messages = seen.filter((request) => request.kind === 'message');
    expect(messages).toHaveLength(2);
    expect(messages[1]!.key).toBe(messages[0]!.key);
    await context.close();
  }, 60_000);
});

describe('two instances on Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: Awaited<ReturnType<typeof startStorefront>>;
  let b: Awaited<ReturnType<typeof startStorefront>>;
  let balancer: Server;
  let origin = '';
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    redis = await startRedis();
    const env = { ...PACE, CONCIERGE_REDIS_URL: redis.url, CONCIERGE_SECRET: 'one-secret-for-both-storefront-instances' };
    [a, b] = await Promise.all([startStorefront(env), startStorefront(env)]);
    // Sends every connection to A while A lives, then to B: a load balancer's failover.
    balancer = createServer((client) => {
      sockets.add(client);
      const pipe = (port: number, fallback?: number) => {
        const upstream = connect(port, '127.0.0.1');
        sockets.add(upstream);
        let connected = false;
        upstream.once('connect', () => {
          connected = true;
          client.pipe(upstream);
          upstream.pipe(client);
          upstream.on('close', () => client.destroy());
          client.on('close', () => upstream.destroy());
        });
        upstream.on('error', () => (!connected && fallback ? pipe(fallback) : client.destroy()));
      };
      client.on('error', () => {});
      pipe(a.port, b.port);
    });
    await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    balancer?.close();
    await a?.kill();
    b?.close();
    await redis?.stop();
  });

  it('killing the instance producing a reply leaves the partial reply interrupted with Retry, and Retry answers through the other', async () => {
    const context = await browser.newContext();
    const seen = watch(context);
    const page = await context.newPage();
    const dialog = await openChat(page, origin);
    await ask(dialog, QUESTION);
    await streamed(page, 20);
    await a.kill();
    // The other instance follows the reply's log until the dead producer's lease lapses.
    await page.locator('.concierge-log article[data-role="assistant"][data-status="interrupted"]').waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${JSON.stringify(await articles(page))} ${JSON.stringify(seen)}\n${b.output().slice(-2000)}`);
    });
    const partial = (await replies(page))[0]!;
    expect(partial.length).toBeGreaterThan(0);
    expect(reference.startsWith(partial.trim().slice(0, 20))).toBe(true);
    expect(seen.some((request) => request.kind === 'resume')).toBe(true);
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await finished(page);
    expect(await replies(page)).toEqual([reference]);
    expect(await articles(page)).toEqual(['user:done', 'assistant:-']);
    const keys = seen.filter((request) => request.kind === 'message').map((request) => request.key);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    await context.close();
  }, 90_000);
});
