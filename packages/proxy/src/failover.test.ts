import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModel } from '../test/fake-model';
import { killProxyProcess, startProxyProcess } from '../test/proxy-process';
import { startRedis } from '../test/redis-server';
import { sseEvents } from '../test/sse';

// Two `concierge-proxy` processes on one real Redis; the one producing a reply is killed
// mid-reply (SIGKILL), as a crashed or replaced instance is.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));

let redis: Awaited<ReturnType<typeof startRedis>>;
let model: Awaited<ReturnType<typeof startFakeModel>>;
let a: { port: number; child: ChildProcess };
let b: { port: number; child: ChildProcess };

beforeAll(async () => {
  redis = await startRedis();
  model = await startFakeModel({ words: 400, delayMs: 10 });
  const env = {
    CONCIERGE_KB_DIR: KB_DIR,
    CONCIERGE_PROVIDER: 'openai',
    OPENAI_BASE_URL: model.url,
    OPENAI_MODEL: 'test-model',
    CONCIERGE_REDIS_URL: redis.url,
    CONCIERGE_SECRET: 'one-secret-shared-by-both-instances-0042',
  };
  [a, b] = await Promise.all([startProxyProcess(env), startProxyProcess(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b].map((instance) => instance && killProxyProcess(instance.child)));
  await model?.close();
  await redis?.stop();
});

const base = (instance: { port: number }) => `http://127.0.0.1:${instance.port}/api/concierge`;

const events = sseEvents;

describe('the instance producing a reply dies', () => {
  it('a reader on the other instance gets what was logged, then a clear end; the same turn sent again is answered there', async () => {
    const key = crypto.randomUUID();
    const body = JSON.stringify({ message: 'Tell me everything about shipping' });
    const headers = { 'content-type': 'application/json', accept: 'text/event-stream', 'idempotency-key': key };
    let seen = '';
    let last = '';
    for await (const event of events(await fetch(`${base(a)}/messages`, { method: 'POST', headers, body }))) {
      last = event.id;
      if (event.event === 'delta') seen += event.data.text as string;
      if (seen.length > 200) break;
    }
    await killProxyProcess(a.child);
    const killedAt = Date.now();

    const resumed = await fetch(`${base(b)}/replies/${key}`, { headers: { accept: 'text/event-stream', 'last-event-id': last } });
    expect(resumed.status).toBe(200);
    let rest = '';
    let end: Record<string, unknown> | undefined;
    for await (const event of events(resumed)) {
      if (event.event === 'delta') rest += event.data.text as string;
      if (event.event === 'error' || event.event === 'done') end = { event: event.event, ...event.data };
    }
    // The lease of the dead producer lapses (three renewal periods), then the reader is told.
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(end).toMatchObject({ event: 'error', code: 'upstream_unavailable' });
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.text.startsWith(seen + rest)).toBe(true);
    expect((seen + rest).length).toBeLessThan(model.calls[0]!.text.length);

    // Retry: the same key on the live instance takes the turn over and answers it in full.
    model.settings.words = 6;
    model.settings.delayMs = 0;
    let text = '';
    for await (const event of events(await fetch(`${base(b)}/messages`, { method: 'POST', headers, body }))) {
      if (event.event === 'delta') text += event.data.text as string;
    }
    expect(model.calls).toHaveLength(2);
    expect(text).toBe(model.calls[1]!.text);
  }, 60_000);
});
