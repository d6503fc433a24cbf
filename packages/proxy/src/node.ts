import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Duplex, Readable } from 'node:stream';
import { LIMITS } from '@concierge/core';
import { recordSocketAddress } from './client-address';
import type { ConciergeHandler } from './handler';
import { takeSseText } from './sse-body';

const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * A body whose declared length is at most this (every request within the default body limit) is
 * read here and handed over whole: a Web stream over the request costs more than the read. A
 * longer or unannounced one is streamed, so the handler's own limit cuts it off.
 */
const READ_WHOLE_BYTES = LIMITS.bodyMaxBytes;

/**
 * Adapts a Web-standard handler to Node's `http` module: the request body (past a small size) and
 * the response body are streamed, a client that disconnects aborts the request, and the socket's
 * address is recorded for rate limits (headers the client sends never replace it).
 */
export function toNodeListener(handler: ConciergeHandler) {
  return async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const controller = new AbortController();
    // A client that went away aborts the request; a response that ended does not need to (an
    // abort per request costs an error object and its listeners).
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) controller.abort();
    });
    const host = incoming.headers.host ?? 'localhost';
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
    let response: Response;
    if (FORBIDDEN_METHODS.has(incoming.method ?? '')) {
      // Fetch cannot even represent these (CONNECT, TRACE, TRACK): they never reach the handler.
      response = Response.json(
        { error: { code: 'method_not_allowed', message: `${incoming.method} is not supported.` } },
        { status: 405 },
      );
    } else {
      let body: BodyInit | undefined;
      if (hasBody) {
        const length = Number(incoming.headers['content-length']);
        if (incoming.headers['content-length'] !== undefined && length <= READ_WHOLE_BYTES) {
          try {
            body = await readWhole(incoming);
          } catch {
            // The client went away before its body was sent: nobody to answer.
            outgoing.destroy();
            return;
          }
        } else body = Readable.toWeb(incoming) as ReadableStream<Uint8Array<ArrayBuffer>>;
      }
      const request = new Request(new URL(incoming.url ?? '/', `http://${host}`), {
        method: incoming.method,
        headers,
        body,
        signal: controller.signal,
        // @ts-expect-error Node's fetch needs `duplex` for a streamed body; DOM types lack it.
        duplex: 'half',
      });
      recordSocketAddress(request, incoming.socket.remoteAddress);
      response = await handler(request);
    }
    // A body refused unread (413, 415…) would leave a keep-alive client waiting: close instead.
    if (hasBody && !incoming.complete) response.headers.set('connection', 'close');
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body || incoming.method === 'HEAD') {
      outgoing.end();
      return;
    }
    // An SSE reply of this package is written as text as it is pushed; any other body through
    // its Web stream.
    const source = takeSseText(response);
    if (source) {
      await new Promise<void>((resolve) => {
        const stop = source(
          (text) => void outgoing.write(text),
          (error) => {
            if (error === undefined) outgoing.end();
            else outgoing.destroy();
            resolve();
          },
        );
        // A client that went away stops the reading (the reply itself goes on).
        const gone = () => {
          stop();
          resolve();
        };
        if (controller.signal.aborted) gone();
        else controller.signal.addEventListener('abort', gone, { once: true });
      });
      return;
    }
    const chunks = webChunks(response.body);
    try {
      for (;;) {
        const { done, value } = await chunks.next();
        if (done) break;
        outgoing.write(value);
      }
      outgoing.end();
    } catch {
      outgoing.destroy();
    } finally {
      if (controller.signal.aborted) await chunks.return(undefined).catch(() => {});
    }
  };
}

/** The whole body of a request (its length is known and small). */
async function readWhole(incoming: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer<ArrayBuffer>[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer<ArrayBuffer>);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

async function* webChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A Node HTTP server around a handler; call `listen(port)` on it. */
export function createNodeServer(handler: ConciergeHandler): Server {
  const listener = toNodeListener(handler);
  const server = createServer((incoming, outgoing) => {
    listener(incoming, outgoing).catch((error: unknown) => {
      console.error('[concierge]', error);
      if (outgoing.headersSent) return void outgoing.destroy();
      outgoing.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
      outgoing.end(JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' } }));
    });
  });
  // Requests Node cannot even parse (a TRACE with a body, broken framing, huge headers) and
  // CONNECT get the same JSON errors as the rest, not Node's bare 400 or a dropped connection.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      rawJson(socket, '431 Request Header Fields Too Large', 'payload_too_large', 'The request headers are too large.');
    } else rawJson(socket, '400 Bad Request', 'invalid_request', 'The request is not valid HTTP.');
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    rawJson(socket, '405 Method Not Allowed', 'method_not_allowed', 'CONNECT is not supported.');
  });
  return server;
}

/** Answers on a raw socket with a JSON error and closes it. */
function rawJson(socket: Duplex, status: string, code: string, message: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
