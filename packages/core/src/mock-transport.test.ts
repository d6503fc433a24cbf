import { describe, expect, it } from 'vitest';
import { createMockTransport } from './mock-transport';
import type { StreamEvent } from './protocol';

describe('createMockTransport', () => {
  it('streams its reply in pieces, then sources and done', async () => {
    const transport = createMockTransport({ reply: 'Hello there, shopper!', chunkSize: 5, delayMs: 0, sources: [{ title: 'Help' }] });
    const events: StreamEvent[] = [];
    for await (const event of transport.sendMessage({ message: 'Hi' })) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['start', 'delta', 'delta', 'delta', 'delta', 'delta', 'sources', 'done']);
    expect(events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('')).toBe('Hello there, shopper!');
  });

  it('fails with the configured error, and holds until aborted', async () => {
    const failing = createMockTransport({ error: { code: 'rate_limited', message: 'Wait', retryAfterSeconds: 9 } });
    await expect(failing.sendMessage({ message: 'Hi' })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ retryAfterSeconds: 9 });

    const controller = new AbortController();
    const holding = createMockTransport({ holdAfter: 0, delayMs: 0 });
    const iterator = holding.sendMessage({ message: 'Hi' }, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'start' });
    const next = iterator.next();
    controller.abort();
    await expect(next).rejects.toMatchObject({ code: 'aborted' });
  });
});
