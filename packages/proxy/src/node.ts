import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ConciergeHandler } from './handler';

/**
 * Adapts a Web-standard handler to Node's `http` module: the request body and the
 * response body are streamed, and a client that disconnects aborts the request.
 */
export interface NodeAdapterOptions {
  /**
   * Trust `X-Forwarded-For` from a reverse proxy in front. When false the client address is the
   * socket's, so a client cannot pick its own rate-limit bucket. @default false
   */
  trustProxy?: boolean;
}

export function toNodeListener(handler: ConciergeHandler, options: NodeAdapterOptions = {}) {
  return async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const controller = new AbortController();
    outgoing.on('close', () => controller.abort());
    const host = incoming.headers.host ?? 'localhost';
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    if (!options.trustProxy || !headers.has('x-forwarded-for')) {
      headers.set('x-forwarded-for', incoming.socket.remoteAddress ?? 'unknown');
    }
    const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
    const request = new Request(new URL(incoming.url ?? '/', `http://${host}`), {
      method: incoming.method,
      headers,
      body: hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : undefined,
      signal: controller.signal,
      // @ts-expect-error Node's fetch needs `duplex` for a streamed body; DOM types lack it.
      duplex: 'half',
    });
    const response = await handler(request);
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body || incoming.method === 'HEAD') {
      outgoing.end();
      return;
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        outgoing.write(value);
      }
      outgoing.end();
    } catch {
      outgoing.destroy();
    } finally {
      if (controller.signal.aborted) await reader.cancel().catch(() => {});
    }
  };
}

/** A Node HTTP server around a handler; call `listen(port)` on it. */
export function createNodeServer(handler: ConciergeHandler, options: NodeAdapterOptions = {}): Server {
  const listener = toNodeListener(handler, options);
  return createServer((incoming, outgoing) => {
    listener(incoming, outgoing).catch((error: unknown) => {
      console.error('[concierge]', error);
      if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end();
    });
  });
}
