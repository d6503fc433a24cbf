// The servers of the proxy benchmark, one per process as in production: `model` (a fake
// OpenAI-compatible upstream), `bare` (a pass-through that only pipes the model's stream: the
// floor for any proxy), `proxy` (Concierge's Node server) and `next` (Concierge's handler as a
// Next.js route handler is called: a Web Request in, a Web Response out, through Next's
// own Node adapter logic: the body piped into a WritableStream over the Node response). Prints `ready <port>` once listening.
//
// node bench/proxy-servers.mjs model <chunks> <delayMs> | bare <modelUrl> | proxy <modelUrl> [redisUrl] | next <modelUrl>
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [kind, ...args] = process.argv.slice(2);
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

async function start() {
  if (kind === 'model') {
    const chunks = Number(args[0] ?? 200);
    const delayMs = Number(args[1] ?? 5);
    return createServer((request, response) => {
      request.resume();
      request.on('end', async () => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let index = 0; index < chunks; index++) {
          if (response.destroyed) return;
          response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `w${index} ` }, finish_reason: null }] })}\n\n`);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        response.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      });
    });
  }
  const model = new URL(args[0]);
  if (kind === 'bare') {
    return createServer((incoming, outgoing) => {
      const upstream = httpRequest(
        { host: model.hostname, port: model.port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, { 'content-type': 'text/event-stream' });
          response.pipe(outgoing);
        },
      );
      incoming.pipe(upstream);
    });
  }
  const { createConciergeHandler, createMemoryStore, createOpenAIProvider, createRedisStore } = await import('@concierge/proxy');
  const kb = mkdtempSync(join(tmpdir(), 'concierge-bench-'));
  writeFileSync(join(kb, 'help.md'), '---\nurl: /help\n---\n# Help\n\nWe answer questions.');
  const provider = createOpenAIProvider({ baseUrl: `${model.origin}/v1`, model: 'bench', dir: kb, log: () => {} });
  const store = args[1] ? createRedisStore({ url: args[1], onError: () => {} }) : createMemoryStore();
  const handler = createConciergeHandler({ provider, store, rateLimit: false, onError: () => {} });
  if (kind === 'proxy') {
    const { createNodeServer } = await import('@concierge/proxy/node');
    return createNodeServer(handler);
  }
  // As a Next.js route: Next turns the Node request into a Web Request and pipes the Web Response.
  return createServer(async (incoming, outgoing) => {
    const body = await new Promise((resolve) => {
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk));
      incoming.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const response = await handler(
      new Request(`http://127.0.0.1${incoming.url}`, { method: incoming.method, headers: incoming.headers, body }),
    );
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void outgoing.end();
    // As Next's `pipeToNodeResponse`: the body piped into a WritableStream over the response.
    const resolvers = () => {
      let resolve;
      const promise = new Promise((done) => (resolve = done));
      return { promise, resolve };
    };
    let drained = resolvers();
    outgoing.on('drain', () => drained.resolve());
    await response.body
      .pipeTo(
        new WritableStream({
          async write(chunk) {
            if (!outgoing.write(chunk)) {
              await drained.promise;
              drained = resolvers();
            }
          },
          close: () => void outgoing.end(),
          abort: () => void outgoing.destroy(),
        }),
      )
      .catch(() => outgoing.destroy());
  });
}

const server = await start();
// `GET /__memory`: the heap in use after a full collection (servers run with --expose-gc), so the
// benchmark measures what open streams hold rather than what the collector has yet to free.
const listeners = server.listeners('request');
server.removeAllListeners('request');
server.on('request', (request, response) => {
  if (request.url !== '/__memory') return listeners.forEach((listener) => listener.call(server, request, response));
  // Collected twice, a turn apart: what weak references and finalizers held is freed by the second.
  globalThis.gc?.();
  setTimeout(() => {
    globalThis.gc?.();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(process.memoryUsage()));
  }, 50);
});
const port = await listen(server);
process.stdout.write(`ready ${port}\n`);
process.on('SIGINT', () => process.exit(0));
