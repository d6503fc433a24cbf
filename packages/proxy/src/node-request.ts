import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * Vendor calls through Node's own `http` module rather than `fetch`: with hundreds of vendor
 * streams open, fetch's Web-stream layers cost about a third of a core more per chunk. Answers
 * with a standard `Response`; a body the caller will read as a stream is handed over as the Node
 * stream itself (`nodeBodies`), with no conversion. Connections to a vendor are kept alive.
 */
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };
const MAX_REDIRECTS = 5;

export interface NodeRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Whether the body is handed over as a stream (`nodeBodies`) when the answer is one: otherwise it is read whole. */
  stream: (status: number, headers: Headers) => boolean;
  /** Called on every chunk of a body read whole (a streamed body's reader does this itself). */
  onChunk: () => void;
}

/** A streamed answer's body: `readable` decoded to text, from `incoming` (whose `complete` says it was all received). */
export interface NodeBody {
  readable: Readable;
  incoming: IncomingMessage;
}

/** The Node stream of a streamed answer's body, for `upstreamEvents`. */
export const nodeBodies = new WeakMap<Response, NodeBody>();

export async function nodeRequest(url: string, init: NodeRequestInit, redirects = 0): Promise<Response> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
  if (!send) throw new TypeError(`Unsupported protocol ${target.protocol}`);
  init.signal.throwIfAborted();
  const incoming = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = send(target, {
      method: init.method,
      headers: { ...init.headers, ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }) },
      agent: agents[target.protocol as keyof typeof agents],
      signal: init.signal,
    });
    outgoing.once('response', resolve);
    outgoing.once('error', reject);
    outgoing.end(init.body);
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = incoming.statusCode ?? 502;
  const location = headers.get('location');
  if (status >= 300 && status < 400 && location && [301, 302, 303, 307, 308].includes(status)) {
    // Drained first, so its connection goes back to the pool for the next request.
    await new Promise((resolve) => incoming.once('end', resolve).once('error', resolve).resume());
    if (redirects >= MAX_REDIRECTS) throw new TypeError('Too many redirects');
    const method = status === 303 || ((status === 301 || status === 302) && init.method === 'POST') ? 'GET' : init.method;
    const next = new URL(location, target);
    // The vendor's key goes to the vendor only: a redirect to another origin is followed without
    // it, as fetch does.
    const headers = next.origin === target.origin ? init.headers : Object.fromEntries(Object.entries(init.headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    return nodeRequest(next.href, { ...init, method, headers, ...(method === 'GET' ? { body: undefined } : {}) }, redirects + 1);
  }
  const body = decoded(incoming, headers.get('content-encoding'));
  // Statuses without a body cannot be given one in a Response.
  const bodiless = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
  const responseInit = { status, statusText: incoming.statusMessage ?? '', headers };
  if (bodiless) {
    body.resume();
    return new Response(null, responseInit);
  }
  if (init.stream(status, headers)) {
    body.setEncoding('utf8');
    const response = new Response(null, responseInit);
    nodeBodies.set(response, { readable: body, incoming });
    return response;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    init.onChunk();
    chunks.push(chunk as Buffer);
  }
  return new Response(Buffer.concat(chunks), responseInit);
}

/** The body with its `Content-Encoding` undone (fetch does this itself). */
function decoded(incoming: IncomingMessage, encoding: string | null): Readable {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (!decoder) return incoming;
  incoming.on('error', (error) => decoder.destroy(error));
  return incoming.pipe(decoder);
}
