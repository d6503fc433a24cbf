import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConciergeHandler } from '../handler';
import { createThreadTokens } from '../thread-tokens';

const SECRET = 'a-secret-shared-by-every-instance-0123456789';
import { createHaniaProvider } from './hania-provider';

/** A fake Hania speaking exactly the shapes of CONTRACTS.md, on loopback. */
let respond: (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void;
const received: { path: string; authorization?: string; body: Record<string, unknown> }[] = [];
const logs: string[] = [];
let vendorUrl = '';
let close = () => {};
const BOT = 'b1f2c3d4-5678-90ab-cdef-1234567890ab';

beforeAll(async () => {
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      received.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      respond(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vendorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());
beforeEach(() => {
  received.length = 0;
  logs.length = 0;
});

function sse(response: ServerResponse, frames: string[]) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(frames.join(''));
}

function proxy(stream = true) {
  const provider = createHaniaProvider({ apiKey: 'hania_sk_secret', botId: BOT, baseUrl: vendorUrl, stream, log: (line) => logs.push(line) });
  return createConciergeHandler({ provider, rateLimit: false, onError: () => {}, secret: SECRET });
}

/** Posts as the browser that owns `body.threadId`, if any. */
async function post(handler: ReturnType<typeof proxy>, body: Record<string, unknown>) {
  const owner: Record<string, string> =
    typeof body.threadId === 'string' ? { 'concierge-thread-token': await createThreadTokens(SECRET).issue(body.threadId) } : {};
  return handler(
    new Request('http://shop.example/api/concierge/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...owner },
      body: JSON.stringify(body),
    }),
  );
}

function events(text: string) {
  return text
    .trim()
    .split('\n\n')
    .map((frame) => ({
      event: /^event: (.*)$/m.exec(frame)?.[1],
      data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null') as Record<string, unknown>,
    }));
}

describe('Hania', () => {
  it('sends every documented field to send-stream and streams delta events', async () => {
    respond = (_request, _body, response) =>
      sse(response, [
        'event: delta\ndata: {"text":"Your invoice "}\n\n',
        'event: delta\ndata: {"text":"was emailed on Oct 3."}\n\n',
        'event: done\ndata: {"conversation_id":"c9a8b7c6-1234-4def-89ab-aabbccddeeff","timestamp":"2026-06-09T14:05:22Z"}\n\n',
      ]);
    const reply = await post(proxy(), {
      message: 'Where is my October invoice?',
      threadId: 'c9a8b7c6-1234-4def-89ab-aabbccddeeff',
      externalUserId: 'user_8412',
      agentMode: true,
      channel: 'whatsapp',
      newConversation: false,
    });
    expect(received[0]).toEqual({
      path: '/api/v1/chat/send-stream',
      authorization: 'Bearer hania_sk_secret',
      body: {
        bot_id: BOT,
        message: 'Where is my October invoice?',
        external_user_id: 'user_8412',
        conversation_id: 'c9a8b7c6-1234-4def-89ab-aabbccddeeff',
        new_conversation: false,
        agent_mode: true,
        channel: 'whatsapp',
      },
    });
    const all = events(await reply.text());
    expect(all.map((event) => event.event)).toEqual(['start', 'delta', 'delta', 'sources', 'done']);
    expect(all[4]!.data).toMatchObject({ threadId: 'c9a8b7c6-1234-4def-89ab-aabbccddeeff', raw: { timestamp: '2026-06-09T14:05:22Z' } });
  });

  it('starts a new conversation on request, passing the instant greeting through', async () => {
    respond = (_request, _body, response) =>
      sse(response, ['data: {"delta":"Hi! I am the Larkfield bot."}\n\n', 'data: [DONE]\n\n']);
    const all = events(await (await post(proxy(), { message: 'Hello', threadId: 'old-thread', newConversation: true })).text().then((text) => text.replace('data: [DONE]', '')));
    expect(received[0]!.body).toMatchObject({ new_conversation: true, channel: 'api' });
    expect(received[0]!.body.conversation_id).toBeUndefined();
    expect(all.map((event) => event.event)).toEqual(['start', 'delta', 'sources', 'done']);
    expect(all[1]!.data.text).toBe('Hi! I am the Larkfield bot.');
  });

  it('maps the JSON envelope of /chat/send', async () => {
    respond = (_request, _body, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ success: true, data: { response: 'Done.', conversation_id: 'c-1', timestamp: 't' }, message: '' }),
      );
    const reply = await proxy(false)(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Hi', stream: false }),
      }),
    );
    expect(received[0]!.path).toBe('/api/v1/chat/send');
    expect(await reply.json()).toMatchObject({ threadId: 'c-1', text: 'Done.' });
  });

  it.each(['SERVICE_SUSPENDED', 'PLAN_LIMIT_REACHED', 'INSUFFICIENT_BALANCE'])('keeps the 402 %s distinct for the site owner', async (code) => {
    respond = (_request, _body, response) =>
      response.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, message: 'Billing problem', code }));
    const reply = await post(proxy(), { message: 'Hi' });
    expect(reply.status).toBe(402);
    const error = ((await reply.json()) as { error: { code: string; reason: string; message: string } }).error;
    expect(error).toMatchObject({ code: 'billing', reason: code.toLowerCase() });
    expect(error.message).not.toContain('Billing problem');
    expect(logs.join('\n')).toContain(code);
  });

  it('turns an error event that ends a stream early into a typed error event', async () => {
    respond = (_request, _body, response) =>
      sse(response, ['event: delta\ndata: {"text":"Let me"}\n\n', 'event: error\ndata: {"code":"INSUFFICIENT_BALANCE","message":"Top up"}\n\n']);
    const all = events(await (await post(proxy(), { message: 'Hi' })).text());
    expect(all.map((event) => event.event)).toEqual(['start', 'delta', 'error']);
    expect(all[2]!.data).toMatchObject({ code: 'billing', reason: 'insufficient_balance' });
  });

  it('reports a stream cut in the middle', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: delta\ndata: {"text":"Half"}\n\n');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const all = events(await (await post(proxy(), { message: 'Hi' })).text());
    expect(all.at(-1)).toMatchObject({ event: 'error', data: { code: 'upstream_unavailable' } });
  });

  it('maps 429 with standard headers, and 401 naming HANIA_API_KEY in the log', async () => {
    respond = (_request, _body, response) =>
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '12' }).end(JSON.stringify({ success: false, message: 'Slow', code: 'RATE_LIMITED' }));
    const limited = await post(proxy(), { message: 'Hi' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('12');
    respond = (_request, _body, response) =>
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, message: 'Unauthenticated.' }));
    expect((await post(proxy(), { message: 'Hi' })).status).toBe(502);
    expect(logs.join('\n')).toContain('check HANIA_API_KEY');
  });
});
