#!/usr/bin/env node
// The time from Send to the first token painted, minus the upstream's own: our chat window in
// Chromium, talking over HTTP to Concierge's proxy (Node listener, memory store) and through it to
// a fake OpenAI-compatible model on loopback, which notes when each request reached it and when it
// wrote the first token. For each message: Enter pressed → first token painted (the start of the
// frame that paints it), less the model's own time to first token, is what Concierge (browser and
// proxy) adds. Split into the way there (Enter → the model has the request) and the way back (the
// model's first token → painted).
//
// node bench/first-token.mjs [--runs 15] [--model-delay 0] [--json]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createConciergeHandler, createMemoryStore, createOpenAIProvider } from '@concierge/proxy';
import { toNodeListener } from '@concierge/proxy/node';
import { launch, servePages, spread } from './pages.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, 'model-delay': { type: 'string', default: '0' }, json: { type: 'boolean', default: false } },
});
const RUNS = Number(values.runs);
const MODEL_DELAY_MS = Number(values['model-delay']);
const now = () => performance.timeOrigin + performance.now();

// The model: 20 chunks 5 ms apart, the first after MODEL_DELAY_MS.
const calls = [];
const model = createServer((request, response) => {
  const call = { receivedAt: now(), firstAt: 0 };
  calls.push(call);
  request.resume();
  request.on('end', async () => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    if (MODEL_DELAY_MS) await new Promise((resolve) => setTimeout(resolve, MODEL_DELAY_MS));
    for (let index = 0; index < 20; index++) {
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `w${index} ` }, finish_reason: null }] })}\n\n`);
      if (index === 0) call.firstAt = now();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    response.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
  });
});
await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));

const kb = mkdtempSync(join(tmpdir(), 'concierge-first-token-'));
writeFileSync(join(kb, 'help.md'), '---\nurl: /help\n---\n# Help\n\nWe answer questions about orders, returns and shipping.');
const handler = createConciergeHandler({
  provider: createOpenAIProvider({ baseUrl: `http://127.0.0.1:${model.address().port}/v1`, model: 'bench', dir: kb, log: () => {} }),
  store: createMemoryStore(),
  rateLimit: false,
  secret: 'a-benchmark-secret-of-enough-length-0123456789',
  onError: (error) => console.error(error),
});
const { origin, close } = await servePages(toNodeListener(handler));

const browser = await launch();
const rows = [];
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/?page=live`);
  const input = page.getByRole('textbox', { name: 'Message' });
  // One message to warm up (JIT, connections), then RUNS measured, each after the last reply ended.
  for (let index = 0; index <= RUNS; index++) {
    await input.fill(`Question number ${index}, about returns?`);
    await input.press('Enter');
    await page.waitForFunction(
      (count) => {
        const send = window.__bench.sends[count];
        const last = [...document.querySelectorAll('article[data-role="assistant"]')].at(-1);
        return send?.paintedAt && last && !last.dataset.status && last.textContent?.includes('w19');
      },
      index,
      { timeout: 30_000, polling: 20 },
    );
    if (index === 0) continue;
    const send = await page.evaluate((count) => {
      // When the response's first byte arrived (the proxy answers with its first events).
      const request = performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/api/concierge/messages'))[count];
      return { ...window.__bench.sends[count], firstByteAt: request ? performance.timeOrigin + request.responseStart : NaN };
    }, index);
    const call = calls[index];
    rows.push({
      total: send.paintedAt - send.sentAt,
      upstream: call.firstAt - call.receivedAt,
      there: call.receivedAt - send.sentAt,
      back: send.paintedAt - call.firstAt,
      proxyBack: send.firstByteAt - call.firstAt,
      browserBack: send.paintedAt - send.firstByteAt,
      browserDom: send.domAt - send.firstByteAt,
    });
  }
} finally {
  await browser.close();
  close();
  model.close();
}

const figures = Object.fromEntries(['total', 'upstream', 'there', 'back', 'proxyBack', 'browserBack', 'browserDom'].map((key) => [key, spread(rows.map((row) => row[key]))]));
figures.added = spread(rows.map((row) => row.total - row.upstream));
const line = (label, { median, min, max }) => `  ${label.padEnd(44)} median ${median.toFixed(1).padStart(6)} ms (${min.toFixed(1)}–${max.toFixed(1)})`;
console.log(`Send to first token painted: our chat window in Chromium, Concierge's Node proxy, a model on loopback (${rows.length} messages)`);
console.log(line('Enter → first token painted', figures.total));
console.log(line("the model's own time to first token", figures.upstream));
console.log(line('added by Concierge (browser + proxy)', figures.added));
console.log(line('  of which: Enter → the model has the request', figures.there));
console.log(line("  and: the model's first token → painted", figures.back));
console.log(line('    proxy: first token → response first byte', figures.proxyBack));
console.log(line('    browser: first byte → painted', figures.browserBack));
console.log(line('    browser: first byte → in the DOM', figures.browserDom));
if (values.json) console.log(JSON.stringify({ messages: rows.length, modelDelayMs: MODEL_DELAY_MS, ...figures }));
