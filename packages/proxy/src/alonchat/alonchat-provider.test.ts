import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConciergeHandler } from '../handler';
import { createThreadTokens } from '../thread-tokens';

const SECRET = 'a-secret-shared-by-every-instance-0123456789';
import { createAlonChatProvider } from './alonchat-provider';

/** A fake AlonChat speaking exactly the shapes of CONTRACTS.md, on loopback. */
let respond: (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void;
const received: { method: string; path: string; authorization?: string; body: Record<string, unknown> }[] = [];
const logs: string[] = [];
let vendorUrl = '';
let close = () => {};

beforeAll(async () => {
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      received.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization, body });
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

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function proxy(stream = true) {
  const provider = createAlonChatProvider({
    apiKey: 'sk_alon_secret',
    agentId: 'agent_xyz',
    baseUrl: vendorUrl,
    stream,
    log: (line) => logs.push(line),
  });
  return createConciergeHandler({ provider, rateLimit: false, onError: () => {}, secret: SECRET });
}

/** Posts as the browser that owns `body.threadId`, if any. */
async function post(handler: ReturnType<typeof proxy>, body: Record<string, unknown>, stream = true) {
  const owner: Record<string, string> =
    typeof body.threadId === 'string' ? { 'concierge-thread-token': await createThreadTokens(SECRET).issue(body.threadId) } : {};
  return handler(
    new Request('http://shop.example/api/concierge/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...owner },
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

describe('AlonChat', () => {
  it('streams named SSE events chunk by chunk as they arrive, with sources, ids and confidence', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: text\ndata: {"content":"We are open "}\n\n');
      void gate.then(() => {
        response.write('event: text\ndata: {"content":"9 to 6."}\n\n');
        response.write('event: sources\ndata: [{"type":"qa","title":"Business Hours","relevance":0.98}]\n\n');
        response.end('event: done\ndata: {"conversation_id":"conv_abc123","message_id":"msg_1","confidence":0.95,"credits_used":5}\n\n');
      });
    };
    const reply = await post(proxy(), { message: 'When are you open?', threadId: 'conv_abc123', metadata: { plan: 'pro' }, pageUrl: 'https://shop.example/' });
    const reader = reply.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The first chunk reaches the browser while the vendor is still holding the rest back.
    while (!text.includes('We are open')) text += decoder.decode((await reader.read()).value);
    release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);

    expect(received[0]).toMatchObject({
      path: '/v1/agents/agent_xyz/chat',
      authorization: 'Bearer sk_alon_secret',
      body: { message: 'When are you open?', conversation_id: 'conv_abc123', stream: true, metadata: { plan: 'pro', page_url: 'https://shop.example/' } },
    });
    const all = events(text);
    expect(all.map((event) => event.event)).toEqual(['start', 'delta', 'delta', 'sources', 'done']);
    expect(all[3]!.data.sources).toEqual([{ title: 'Business Hours', relevance: 0.98 }]);
    expect(all[4]!.data).toMatchObject({ threadId: 'conv_abc123', messageId: 'msg_1', confidence: 0.95, raw: { credits_used: 5 } });
  });

  it('accepts unnamed events typed in their data', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"type":"text","content":"Hi"}\n\n');
      response.write('data: {"type":"sources","sources":[{"title":"Greeting"}]}\n\n');
      response.end('data: {"type":"done","conversation_id":"conv_new","message_id":"m2"}\n\n');
    };
    const all = events(await (await post(proxy(), { message: 'Hello' })).text());
    expect(all.map((event) => event.event)).toEqual(['start', 'delta', 'sources', 'done']);
    expect(all[3]!.data.threadId).toBe('conv_new');
  });

  it('reports a stream cut in the middle as an error event after the text that arrived', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: text\ndata: {"content":"Part of"}\n\n');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const all = events(await (await post(proxy(), { message: 'Hello' })).text());
    expect(all.map((event) => event.event)).toEqual(['start', 'delta', 'error']);
    expect(all[2]!.data.code).toBe('upstream_unavailable');
  });

  it('maps the JSON reply when streaming is off, keeping unmodelled fields as raw', async () => {
    respond = (_request, _body, response) =>
      json(response, 200, {
        response: 'We offer three products.',
        conversation_id: 'conv_1',
        message_id: 'msg_xyz789',
        confidence: 0.87,
        model: 'gpt-5.2',
        sources: [{ type: 'doc', title: 'Catalog', relevance: 0.7 }],
        credits_used: 5,
      });
    const body = (await (await post(proxy(false), { message: 'What do you sell?', stream: false }, false)).json()) as Record<string, unknown>;
    expect(received[0]!.body.stream).toBe(false);
    expect(body).toEqual({
      threadId: 'conv_1',
      messageId: 'msg_xyz789',
      text: 'We offer three products.',
      sources: [{ title: 'Catalog', relevance: 0.7 }],
      confidence: 0.87,
      raw: { model: 'gpt-5.2', credits_used: 5 },
      threadToken: await createThreadTokens(SECRET).issue('conv_1'),
    });
  });

  it.each([
    [{ 'retry-after': '30' }, { error: { code: 'rate_limit_exceeded', message: 'Too many', retry_after: 60 } }, 30],
    [{}, { error: { code: 'rate_limit_exceeded', message: 'Too many', retry_after: 60 } }, 60],
    [{ 'x-ratelimit-reset': '45' }, { error: { code: 'rate_limit_exceeded', message: 'Too many' } }, 45],
    [{ 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 90) }, { error: { code: 'rate_limit_exceeded', message: 'x' } }, 90],
  ])('takes the wait of a 429 from headers or body (%#)', async (headers, vendorBody, seconds) => {
    respond = (_request, _body, response) => json(response, 429, vendorBody, { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', ...headers });
    const reply = await post(proxy(), { message: 'Hi' });
    expect(reply.status).toBe(429);
    const error = ((await reply.json()) as { error: { code: string; retryAfterSeconds: number; message: string } }).error;
    expect(error.code).toBe('rate_limited');
    expect(Math.abs(error.retryAfterSeconds - seconds)).toBeLessThanOrEqual(1);
    expect(error.message).not.toContain('Too many requests. Retry');
  });

  it('names ALONCHAT_AGENT_ID in the log when the agent is unknown, and the key on 401', async () => {
    respond = (_request, _body, response) => json(response, 404, { error: { code: 'agent_not_found', message: 'No agent' } });
    expect((await post(proxy(), { message: 'Hi' })).status).toBe(502);
    expect(logs.join('\n')).toContain('check ALONCHAT_AGENT_ID');
    respond = (_request, _body, response) => json(response, 401, { error: { code: 'invalid_api_key', message: 'Bad key sk_alon_secret' } });
    const reply = await post(proxy(), { message: 'Hi' });
    expect(await reply.text()).not.toContain('sk_alon_secret');
    expect(logs.join('\n')).toContain('check ALONCHAT_API_KEY');
  });

  it('reads thread history from the conversations endpoint', async () => {
    respond = (request, _body, response) => {
      if (request.url === '/v1/conversations/conv_abc123') {
        json(response, 200, {
          id: 'conv_abc123',
          agent_id: 'agent_xyz',
          created_at: '2026-01-23T10:00:00Z',
          messages: [
            { role: 'user', content: 'Hello', timestamp: '2026-01-23T10:00:00Z' },
            { role: 'assistant', content: 'Hi! How can I help you today?', timestamp: '2026-01-23T10:00:01Z' },
          ],
        });
      } else json(response, 404, { error: { code: 'not_found', message: 'No conversation' } });
    };
    const handler = proxy();
    // Another browser, or one guessing ids: 404, and AlonChat is never asked with the store's key.
    expect((await handler(new Request('http://shop.example/api/concierge/threads/conv_abc123'))).status).toBe(404);
    const forged = { headers: { 'concierge-thread-token': await createThreadTokens('another-secret-0123456789-0123456789').issue('conv_abc123') } };
    expect((await handler(new Request('http://shop.example/api/concierge/threads/conv_abc123', forged))).status).toBe(404);
    expect(received).toEqual([]);

    const owner = { headers: { 'concierge-thread-token': await createThreadTokens(SECRET).issue('conv_abc123') } };
    const history = await handler(new Request('http://shop.example/api/concierge/threads/conv_abc123', owner));
    expect(await history.json()).toEqual({
      threadId: 'conv_abc123',
      messages: [
        { id: 'conv_abc123:0', role: 'user', text: 'Hello', createdAt: '2026-01-23T10:00:00Z' },
        { id: 'conv_abc123:1', role: 'assistant', text: 'Hi! How can I help you today?', createdAt: '2026-01-23T10:00:01Z' },
      ],
    });
    expect(received[0]).toMatchObject({ method: 'GET', authorization: 'Bearer sk_alon_secret' });
    const missing = { headers: { 'concierge-thread-token': await createThreadTokens(SECRET).issue('conv_missing') } };
    expect((await handler(new Request('http://shop.example/api/concierge/threads/conv_missing', missing))).status).toBe(404);
  });
});
