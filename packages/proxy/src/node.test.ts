import { request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConciergeHandler } from './handler';
import { createLocalProvider } from './local/local-provider';
import { createNodeServer } from './node';

// The Node adapter on loopback: a request body of known small length is read before the handler
// sees it, any other is streamed to it.

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
let server: Server;
let port = 0;
const errors: unknown[] = [];

beforeAll(async () => {
  const handler = createConciergeHandler({
    provider: createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 }),
    rateLimit: false,
    onError: (error) => void errors.push(error),
  });
  server = createNodeServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Sends a question, with its length announced or in chunks; the status and the SSE event types. */
function ask(body: string, announced: boolean): Promise<{ status: number; types: string[]; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (announced) headers['content-length'] = String(Buffer.byteLength(body));
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/concierge/messages', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, types: [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]!), text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (announced) request.end(body);
    else {
      // No Content-Length: chunked, in two pieces a moment apart.
      request.write(body.slice(0, 5));
      setTimeout(() => request.end(body.slice(5)), 20);
    }
  });
}

describe('request bodies', () => {
  it('answers a body of announced length and a chunked one alike', async () => {
    const body = JSON.stringify({ message: 'What is your return policy?' });
    for (const announced of [true, false]) {
      const { status, types } = await ask(body, announced);
      expect(status).toBe(200);
      expect(types[0]).toBe('start');
      expect(types).toContain('delta');
      expect(types.at(-1)).toBe('done');
    }
  });

  it('answers a malformed body of announced length with a 400 naming it', async () => {
    const { status, text } = await ask('{"message":', true);
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_request', field: 'body' } });
  });

  it('a client that goes away before its announced body arrives is dropped quietly, and the server goes on', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const closed = await new Promise<string>((resolve, reject) => {
        let answer = '';
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('POST /api/concierge/messages HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"message":');
          setTimeout(() => socket.destroy(), 30);
        });
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
      expect(closed).toBe('');
      const { status, types } = await ask(JSON.stringify({ message: 'Do you ship abroad?' }), true);
      expect(status).toBe(200);
      expect(types.at(-1)).toBe('done');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(logged).not.toHaveBeenCalled();
      expect(errors).toEqual([]);
    } finally {
      logged.mockRestore();
    }
  });
});
