#!/usr/bin/env node
// What the proxy adds on the streaming path. A fake OpenAI-compatible model streams 200 chunks
// 5 ms apart; N shoppers stream at once, directly from the model, through a bare pass-through
// (the floor for any proxy), and through Concierge: its Node server (memory store, and Redis when
// redis-server is on PATH) and its handler called as a Next.js route calls it. Each server runs
// in its own process, as in production, started for its own measurement (warmed up under the
// same load first) and stopped after it, so no other server's leftovers run beside it (with a
// Redis of its own for the Redis path); the shoppers are this process (node:http, not fetch, so
// the load generator stays cheap). Prints time to first token and the gap between chunks (p50,
// p99) in milliseconds, what each adds over the model, and the heap each open stream holds in the
// server (after a full collection, in a run of its own).
//
// node bench/proxy.mjs [streams...]        e.g. node bench/proxy.mjs 1 100 500   (default 1 100 500)
// node bench/proxy.mjs --burst ...         also all N sent in the same millisecond (a connection storm)
// node bench/proxy.mjs --json ...          one JSON line per run as well, for bench/RESULTS.md
// node bench/proxy.mjs --only=memory ...    only the paths whose label has this text (and the model)
// node bench/proxy.mjs --profile=DIR ...    each server writes a CPU profile (.cpuprofile) into DIR
// node bench/proxy.mjs --warm=S --seconds=S  a steady load's warm-up and measuring time (default 4 and 8)
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const SERVERS = fileURLToPath(new URL('./proxy-servers.mjs', import.meta.url));
const counts = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg)).map(Number);
const STREAMS = counts.length ? counts : [1, 100, 500];
const JSON_OUT = process.argv.includes('--json');
const option = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const ONLY = option('only');
const PROFILE = option('profile');
const WARM_SECONDS = Number(option('warm') ?? 4);
// Long enough for a p99 of a few hundred streams at 100 (at 1, of the ~six streams that fit, it is their worst).
const MEASURE_SECONDS = Number(option('seconds') ?? 8);
// A steady load reuses connections, as a store's load balancer or CDN keeps connections to its
// Node servers alive; a burst opens a new one per stream. (A Node server accepts one new
// connection per turn of its event loop, so under load a connection storm queues in the
// kernel, whatever the server does per request.)
const keptAlive = new Agent({ keepAlive: true, maxSockets: Infinity });
const fresh = new Agent({ keepAlive: false, maxSockets: Infinity });
const children = [];

/** Starts one server process; resolves with its port and pid. */
function server(...args) {
  const flags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, `--cpu-prof-name=${args[0]}-${Date.now()}.cpuprofile`] : [];
  const child = spawn(process.execPath, ['--expose-gc', ...flags, SERVERS, ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('.', import.meta.url)) });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      const match = /ready (\d+)/.exec(String(chunk));
      if (match) {
        child.removeAllListeners('exit');
        resolve({ port: Number(match[1]), pid: child.pid, stop: () => (child.kill('SIGINT'), exited(child)) });
      }
    });
  });
}

/** Resolves once a child process has exited. */
const exited = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve)));

/** The server's heap in use after a full collection, in KiB (`GET /__memory`, proxy-servers.mjs). */
function heapKiB(port) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/__memory', agent: fresh }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(JSON.parse(text).heapUsed / 1024));
    })
      .on('error', reject)
      .end();
  });
}

/**
 * What one open stream holds in the server: N streams sent at once, the heap taken once every one
 * has its first token (none has ended yet), less the heap before. Nothing finished is counted, so
 * the replies a store keeps for resuming are left out (they are the store's, per reply).
 */
async function heapPerStream(target, path, body, count) {
  // The steady run's kept-alive connections are closed first: idle, they would be counted in the
  // heap before and freed during the measurement (the figure came out below zero).
  keptAlive.destroy();
  await sleep(300);
  const idle = await heapKiB(target.port);
  let firsts = 0;
  let open = 0;
  await Promise.all(
    Array.from({ length: count }, () =>
      stream(target.port, path, body, () => {
        if (++firsts === count) open = heapKiB(target.port);
      }),
    ),
  );
  const opened = await open;
  if (process.env.HEAP_DEBUG) console.log(`    heap idle ${idle.toFixed(0)} KiB, with ${count} open ${opened.toFixed(0)} KiB`);
  return Math.max(0, (opened - idle) / count);
}

/**
 * One shopper: time to the first chunk that carries text, and the gaps between such chunks. Each
 * request has an Idempotency-Key of its own, as every turn of the widget has, so the proxy claims
 * and binds it (store round trips on Redis); the model and the bare pass-through ignore it.
 */
function stream(port, path, body, onFirst, agent = fresh) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'idempotency-key': randomUUID() } }, (response) => {
      let first = 0;
      let last = 0;
      const gaps = [];
      response.setEncoding('utf8');
      response.on('data', (text) => {
        // Count only chunks that carry text (the proxy's `delta`, the model's `content`).
        if (!/"(text|content)":"w/.test(text)) return;
        const now = performance.now();
        if (!first) {
          first = now - started;
          onFirst();
        } else gaps.push(now - last);
        last = now;
      });
      response.on('end', () => resolve({ first, gaps }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// `null` when nothing was measured (no stream finished within the window).
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? null;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long one of the model's streams lasts (200 chunks 5 ms apart, with timer slack). */
const STREAM_MS = 1100;

function summary(label, mode, count, results, perStreamKiB) {
  const firstTokens = results.map((result) => result.first);
  const gaps = results.flatMap((result) => result.gaps);
  return {
    label,
    mode,
    streams: count,
    samples: results.length,
    firstP50: percentile(firstTokens, 50),
    firstP99: percentile(firstTokens, 99),
    gapP50: percentile(gaps, 50),
    gapP99: percentile(gaps, 99),
    gapMax: gaps.length ? gaps.reduce((max, gap) => Math.max(max, gap), 0) : null,
    perStreamKiB,
  };
}

/**
 * A steady load, what "N concurrent streams" means on a live store: N shoppers each stream one
 * reply after another, their first requests spread over one stream's length, so about N streams
 * are always open and each new one starts among N - 1 that are flowing. Measures the streams that
 * start once all N are running, for `seconds`.
 */
async function steady(label, target, path, body, count, seconds = MEASURE_SECONDS) {
  const begin = performance.now();
  const measureFrom = begin + STREAM_MS;
  const end = measureFrom + seconds * 1000;
  const results = [];
  await Promise.all(
    Array.from({ length: count }, async (_, shopper) => {
      await sleep((shopper * STREAM_MS) / count);
      while (performance.now() < end) {
        const startedAt = performance.now();
        const result = await stream(target.port, path, body, () => {}, keptAlive);
        if (startedAt >= measureFrom) results.push(result);
      }
    }),
  );
  return summary(label, 'steady', count, results, null);
}

/** A burst: all N shoppers send in the same millisecond (a connection storm, not a steady load). */
async function burst(label, target, path, body, count) {
  const results = await Promise.all(Array.from({ length: count }, () => stream(target.port, path, body, () => {})));
  return summary(label, 'burst', count, results, null);
}

const model = await server('model', '200', '5');
const modelUrl = `http://127.0.0.1:${model.port}`;
const wanted = (label) => !ONLY || label.toLowerCase().includes(ONLY.toLowerCase());
/**
 * The paths through a proxy: each is started for its own measurement and stopped after it, so
 * nothing another server left behind (its kept replies, a collection of them) runs beside it.
 */
const targets = [];
const add = (label, start, path, body) => {
  if (wanted(label)) targets.push([label, start, path, body]);
};
const ASK = '{"message":"Help?"}';
add('bare pass-through', () => server('bare', modelUrl), '/v1/chat/completions', '{}');
add('Concierge Node, memory', () => server('proxy', modelUrl), '/api/concierge/messages', ASK);
add('Concierge as Next route', () => server('next', modelUrl), '/api/concierge/messages', ASK);
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (hasRedis) {
  // A Redis of its own each time, empty.
  add(
    'Concierge Node, Redis',
    async () => {
      const redisPort = 16000 + Math.floor(Math.random() * 1000);
      const redis = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      children.push(redis);
      await sleep(300);
      const proxy = await server('proxy', modelUrl, `redis://127.0.0.1:${redisPort}`);
      return { ...proxy, stop: async () => (await proxy.stop(), redis.kill(), await exited(redis)) };
    },
    '/api/concierge/messages',
    ASK,
  );
}

const rows = [];
const format = (value) => (value === null || Number.isNaN(value) ? '—' : value.toFixed(1)).padStart(7);
const minus = (a, b) => (a === null || b === null ? null : a - b);
const MODES = process.argv.includes('--burst') ? ['steady', 'burst'] : ['steady'];
try {
  for (const count of STREAMS) {
    for (const mode of MODES) {
      const measure = mode === 'steady' ? steady : burst;
      console.log(
        mode === 'steady'
          ? `\n${count} stream${count === 1 ? '' : 's'} open at once (steady), 200 chunks 5 ms apart (ms; "+" is what it adds over the model directly)`
          : `\n${count} stream${count === 1 ? '' : 's'} sent in the same millisecond (burst)`,
      );
      const direct = await measure('model directly', { port: model.port, pid: model.pid }, '/v1/chat/completions', '{}', count);
      rows.push(direct);
      console.log(`  ${'model directly'.padEnd(26)} first token p50 ${format(direct.firstP50)} p99 ${format(direct.firstP99)}   chunk gap p50 ${format(direct.gapP50)} p99 ${format(direct.gapP99)} max ${format(direct.gapMax)}`);
      for (const [label, start, path, body] of targets) {
        const target = await start();
        // Warmed up first: the steady load for a few seconds, so its code is optimized and its
        // connection pools filled, as on a server that has been up for a while (a cold process
        // compiles for seconds, and its event loop stalls tens of milliseconds at a time). A
        // burst then comes on a warm server, as a rush does on a live store.
        await steady('warm-up', target, path, body, count, WARM_SECONDS);
        const row = await measure(label, target, path, body, count);
        // Memory in a run of its own: its full collection would show up in the latencies.
        if (mode === 'steady' && count > 1) row.perStreamKiB = await heapPerStream(target, path, body, count);
        await target.stop();
        rows.push({ ...row, addedFirstP50: minus(row.firstP50, direct.firstP50), addedFirstP99: minus(row.firstP99, direct.firstP99), addedGapP99: minus(row.gapP99, direct.gapP99) });
        console.log(
          `  ${label.padEnd(26)} first token p50 ${format(row.firstP50)} p99 ${format(row.firstP99)}   chunk gap p50 ${format(row.gapP50)} p99 ${format(row.gapP99)} max ${format(row.gapMax)}` +
            `   + first p50 ${format(minus(row.firstP50, direct.firstP50))} p99 ${format(minus(row.firstP99, direct.firstP99))}, gap p99 ${format(minus(row.gapP99, direct.gapP99))}` +
            (row.samples ? '' : '   (no stream finished in the window)') +
            (row.perStreamKiB === null ? '' : `   ${row.perStreamKiB.toFixed(0)} KiB heap per open stream`),
        );
      }
    }
  }
} finally {
  // SIGINT: a server exits cleanly, writing its CPU profile when asked for one.
  for (const child of children) child.kill('SIGINT');
  keptAlive.destroy();
}
if (JSON_OUT) for (const row of rows) console.log(JSON.stringify(row));
