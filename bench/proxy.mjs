#!/usr/bin/env node
// Proxy cost on the streaming path: N concurrent streams from a fake OpenAI-compatible model
// (200 chunks, 5 ms apart), read directly and through the Concierge proxy (memory store, and a
// Redis store when redis-server is on PATH). Prints time to first token and the gap between
// chunks, p50 and p99, in milliseconds. `node bench/proxy.mjs [streams]`
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConciergeHandler, createMemoryStore, createOpenAIProvider, createRedisStore } from '@concierge/proxy';
import { createNodeServer } from '@concierge/proxy/node';

const STREAMS = Number(process.argv[2] ?? 100);
const CHUNKS = 200;
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

const model = createServer((request, response) => {
  request.resume();
  request.on('end', async () => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let index = 0; index < CHUNKS; index++) {
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `w${index} ` }, finish_reason: null }] })}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    response.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
  });
});
const modelPort = await listen(model);
const kb = mkdtempSync(join(tmpdir(), 'concierge-bench-'));
writeFileSync(join(kb, 'help.md'), '---\nurl: /help\n---\n# Help\n\nWe answer questions.');

/** One stream: time to its first data byte after headers, and the gaps between chunks. */
async function stream(url, body) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body });
  const reader = response.body.getReader();
  let first = 0;
  let last = 0;
  const gaps = [];
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const now = performance.now();
    // Count only chunks that carry text (the proxy's `delta`, the model's `content`).
    if (!/"(text|content)":"w/.test(decoder.decode(value))) continue;
    if (!first) first = now - started;
    else gaps.push(now - last);
    last = now;
  }
  return { first, gaps };
}

async function run(label, url, body) {
  const results = await Promise.all(Array.from({ length: STREAMS }, () => stream(url, body)));
  const percentile = (values, p) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;
  const firsts = results.map((result) => result.first);
  const gaps = results.flatMap((result) => result.gaps);
  const format = (value) => value.toFixed(1).padStart(7);
  console.log(`${label.padEnd(28)} first token p50 ${format(percentile(firsts, 50))}  p99 ${format(percentile(firsts, 99))}   chunk gap p50 ${format(percentile(gaps, 50))}  p99 ${format(percentile(gaps, 99))}`);
}

async function proxy(store) {
  const provider = createOpenAIProvider({ baseUrl: `http://127.0.0.1:${modelPort}/v1`, model: 'bench', dir: kb, log: () => {} });
  const server = createNodeServer(createConciergeHandler({ provider, store, rateLimit: false, onError: () => {} }));
  return { url: `http://127.0.0.1:${await listen(server)}/api/concierge/messages`, close: () => (server.closeAllConnections(), server.close()) };
}

console.log(`${STREAMS} concurrent streams of ${CHUNKS} chunks, 5 ms apart (ms):`);
await run('model directly', `http://127.0.0.1:${modelPort}/v1/chat/completions`, JSON.stringify({ model: 'bench', stream: true, messages: [] }));
const memory = await proxy(createMemoryStore());
await run('through the proxy, memory', memory.url, JSON.stringify({ message: 'Help?' }));
memory.close();
const redisPort = 16000 + Math.floor(Math.random() * 1000);
const redis = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
redis.on('error', () => {});
await new Promise((resolve) => setTimeout(resolve, 500));
if (redis.exitCode === null && redis.pid) {
  const store = createRedisStore({ url: `redis://127.0.0.1:${redisPort}`, onError: () => {} });
  const onRedis = await proxy(store);
  await run('through the proxy, Redis', onRedis.url, JSON.stringify({ message: 'Help?' }));
  onRedis.close();
  await store.close();
  redis.kill();
}
model.closeAllConnections();
model.close();
