import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake vendors saw: path and Authorization header of each call. */
export interface VendorCall {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * One loopback server answering as Alhena/Gleen, AlonChat, Hania and an OpenAI-compatible API,
 * with the wire shapes of CONTRACTS.md. A message containing "slow down" gets a 429.
 */
export async function startFakeVendors(): Promise<{ url: string; calls: VendorCall[]; close: () => void }> {
  const calls: VendorCall[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      calls.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      route(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => server.close() };
}

function route(request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) {
  const question = String(body.query_text ?? body.message ?? '');
  if (question.includes('slow down')) {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' }).end(JSON.stringify({ detail: 'Too many requests' }));
    return;
  }
  const path = request.url ?? '';
  if (path === '/api/v1/send_message') {
    json(response, {
      thread_id: 802300,
      response: 'From **Alhena**: unworn items can be returned within 30 days.',
      sources: [{ title: 'Alhena returns page', url: 'https://shop.example/returns' }],
    });
  } else if (path === '/v1/agents/agent_e2e/chat') {
    sse(response, [
      'event: text\ndata: {"content":"From AlonChat: returns are "}\n\n',
      'event: text\ndata: {"content":"free for 30 days."}\n\n',
      'event: sources\ndata: [{"type":"qa","title":"AlonChat returns answer","relevance":0.9}]\n\n',
      'event: done\ndata: {"conversation_id":"conv_e2e","message_id":"msg_e2e","confidence":0.9}\n\n',
    ]);
  } else if (path === '/v1/conversations/conv_e2e') {
    json(response, {
      id: 'conv_e2e',
      agent_id: 'agent_e2e',
      created_at: '2026-11-22T10:00:00Z',
      messages: [
        { role: 'user', content: 'What is your return policy?', timestamp: '2026-11-22T10:00:00Z' },
        { role: 'assistant', content: 'From AlonChat: returns are free for 30 days.', timestamp: '2026-11-22T10:00:01Z' },
      ],
    });
  } else if (path === '/api/v1/chat/send-stream') {
    sse(response, [
      'event: delta\ndata: {"text":"From Hania: "}\n\n',
      'event: delta\ndata: {"text":"send it back within 30 days."}\n\n',
      'event: done\ndata: {"conversation_id":"c9a8b7c6-1234-4def-89ab-aabbccddeeff","timestamp":"2026-11-22T10:00:00Z"}\n\n',
    ]);
  } else if (path.startsWith('/api/v1/product-faqs?')) {
    json(response, {
      status: 'ready',
      faqs: [
        { id: 41, question: 'Is it waterproof?', answer: 'Showerproof: the waxed canvas sheds rain.' },
        { id: 42, question: 'How does it fit?', answer: 'True to size.' },
      ],
    });
  } else if (path === '/v1/chat/completions') {
    const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    sse(response, [
      chunk('From the model: '),
      chunk('returns are accepted within 30 days.'),
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      'data: [DONE]\n\n',
    ]);
  } else {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  }
}

function json(response: ServerResponse, body: unknown) {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sse(response: ServerResponse, frames: string[]) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let index = 0;
  const next = () => {
    if (index === frames.length) return response.end();
    response.write(frames[index++]);
    setTimeout(next, 30);
  };
  next();
}
