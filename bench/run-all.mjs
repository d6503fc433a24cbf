#!/usr/bin/env node
// `pnpm bench`: runs every benchmark and writes bench/RESULTS.md with the machine, the versions
// and the figures of this run, the anchors beside ours. Benchmarks print figures; none fails.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs one benchmark, echoing its output; returns its stdout and the JSON lines in it. */
function bench(label, args) {
  console.log(`\n== ${label}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: BENCH, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const text = `${result.stdout}${result.stderr ? `\n${result.stderr}` : ''}`;
  const json = result.stdout
    .split('\n')
    .filter((line) => /^[[{]/.test(line))
    .map((line) => JSON.parse(line));
  const shown = result.stdout.split('\n').filter((line) => !/^[[{]/.test(line)).join('\n').trim();
  console.log(shown || text.trim());
  return { ok: result.status === 0, text: shown || text.trim(), json, seconds: (Date.now() - started) / 1000 };
}

const version = (name) => {
  try {
    return JSON.parse(readFileSync(`${BENCH}/node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return '?';
  }
};

const anchors = bench('Bundle sizes', ['anchors.mjs', '--json']);
const launcher = bench('The launcher at page load, per bundler', ['launcher-weight.mjs']);
// The same paced stream (5,000 tokens over 5 s) into a 500-message thread, four ways.
const streaming = [
  bench('Streaming: our chat window', ['streaming.mjs', '--page', 'widget', '--history', '500', '--json']),
  bench('Streaming: our hooks', ['streaming.mjs', '--page', 'hooks', '--history', '500', '--json']),
  bench('Streaming: AI SDK useChat, its default', ['streaming.mjs', '--page', 'usechat', '--history', '500', '--json']),
  bench('Streaming: AI SDK useChat, 50 ms throttle', ['streaming.mjs', '--page', 'usechat', '--history', '500', '--throttle', '50', '--json']),
];
const firstToken = bench('Send to first token painted', ['first-token.mjs', '--runs', '25', '--json']);
// Three runs of the proxy benchmark: each figure is the median, with its spread.
const proxyRuns = [1, 2, 3].map((run) => bench(`Proxy overhead, run ${run} of 3`, ['proxy.mjs', '1', '100', '500', '--burst', '--json']));
const proxyRows = (() => {
  const groups = new Map();
  for (const row of proxyRuns.flatMap((run) => run.json.filter((entry) => entry.label))) {
    const key = `${row.streams}|${row.mode}|${row.label}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const stat = (rows, field) => {
    const values = rows.map((row) => row[field]).filter((value) => typeof value === 'number').sort((a, b) => a - b);
    return values.length ? { median: values[Math.floor(values.length / 2)], min: values[0], max: values.at(-1) } : null;
  };
  return [...groups.values()].map((rows) => ({
    ...rows[0],
    samples: rows.reduce((sum, row) => sum + row.samples, 0),
    ...Object.fromEntries(['firstP50', 'firstP99', 'gapP50', 'gapP99', 'gapMax', 'addedFirstP50', 'addedFirstP99', 'addedGapP99', 'perStreamKiB'].map((field) => [field, stat(rows, field)])),
  }));
})();
const kb = bench('The local knowledge base', ['--expose-gc', 'knowledge-base.mjs', '1000', '10000', '--json']);

const kbRound = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const med = (stat) => (stat ? stat.median.toFixed(1) : '—');
const span = (stat) => (stat ? `${stat.median.toFixed(1)} (${stat.min.toFixed(1)}–${stat.max.toFixed(1)})` : '—');
const ms = (value) => (value === undefined || value === null ? '—' : value.toFixed(1));
const sizes = anchors.json.find(Array.isArray) ?? [];
const lines = [
  '# Benchmark results',
  '',
  `Written by \`pnpm bench\` (\`bench/run-all.mjs\`) on ${new Date().toISOString().slice(0, 10)}. Every figure below comes from this one run.`,
  '',
  '## Machine',
  '',
  `- ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}`,
  `- Node ${process.version}; Chromium at \`${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}\`; React ${version('react')}`,
  `- Anchors: @ai-sdk/react ${version('@ai-sdk/react')}, @assistant-ui/react ${version('@assistant-ui/react')}, @chatscope/chat-ui-kit-react ${version('@chatscope/chat-ui-kit-react')}, react-chatbotify ${version('react-chatbotify')}, deep-chat-react ${version('deep-chat-react')}; bundlers: vite ${version('vite')}, esbuild ${version('esbuild')}, webpack ${version('webpack')}, next ${version('next')}`,
  '',
  '## Bundle sizes (whole package, every dependency but React, esbuild minify + gzip)',
  '',
  '| Package | JS | CSS |',
  '| --- | --- | --- |',
  ...sizes.map((row) => (row.error ? `| ${row.name} | not measured: ${row.error} | |` : `| ${row.name} | ${kbRound(row.js)} | ${row.css ? kbRound(row.css) : '—'} |`)),
  '',
  '## The launcher at page load',
  '',
  '```',
  launcher.text,
  '```',
  '',
  '## Streaming render (5,000 tokens over 5 s into a 500-message thread; Chromium, production build; median of 5 runs, min–max)',
  '',
  '| Page | Frames | Commits to the streaming message | Commits to other messages | Main thread busy | Of which script |',
  '| --- | --- | --- | --- | --- | --- |',
  ...streaming.flatMap(({ json }) =>
    json
      .filter((row) => row.page)
      .map((row) => {
        const name = { widget: 'Concierge chat window (Markdown on)', hooks: 'Concierge hooks, plain markup', usechat: `AI SDK useChat, plain markup, ${row.throttle ? `${row.throttle} ms throttle` : 'no throttle (default)'}` }[row.page];
        const span = (value, digits) => `${value.median.toFixed(digits)} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
        return `| ${name} | ${span(row.frames, 0)} | ${span(row.commitsStreaming, 0)} | ${row.commitsOther} | ${span(row.busy, 2)} s | ${span(row.script, 2)} s |`;
      }),
  ),
  '',
  '## Send to first token painted (our chat window in Chromium, our Node proxy, a model on loopback)',
  '',
  ...(() => {
    const row = firstToken.json.find((entry) => entry.total);
    if (!row) return ['Not measured: ' + firstToken.text.split('\n').at(-1), ''];
    const span = ({ median, min, max }) => `${median.toFixed(1)} ms (${min.toFixed(1)}–${max.toFixed(1)})`;
    return [
      `Median (min–max) of ${row.messages} messages, each sent after the last reply ended. "Painted": the end of the frame that shows the first token.`,
      '',
      '| Enter → first token painted | The model\'s own time to first token | Added by Concierge | Enter → the model has the request | Model\'s first token → the response\'s first byte (proxy) | First byte → painted (browser) |',
      '| --- | --- | --- | --- | --- | --- |',
      `| ${span(row.total)} | ${span(row.upstream)} | ${span(row.added)} | ${span(row.there)} | ${span(row.proxyBack)} | ${span(row.browserBack)} |`,
      '',
    ];
  })(),
  '## Proxy overhead (each server in its own process; "+" is over the model directly)',
  '',
  'Medians of three runs; "+" columns with their spread (min–max). Steady: N shoppers stream reply after reply on kept-alive connections, so about N streams are always open; each server is started for its own measurement (the Redis path with an empty Redis of its own), takes the same load for 4 s (its code optimized, its pools filled), then the streams that start over 8 s are measured, and it is stopped. Heap: N streams open at once, none finished, after a full collection. Burst: N sent in the same millisecond, to a server warmed up the same way.',
  '',
  '| Streams | Load | Path | First token p50 | p99 | + p50 | + p99 | Chunk gap p50 | p99 | + p99 | Max gap | Heap per open stream (KiB) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...proxyRows.map(
    (row) =>
      `| ${row.streams} | ${row.mode} (${row.samples} streams) | ${row.label} | ${med(row.firstP50)} | ${med(row.firstP99)} | ${span(row.addedFirstP50)} | ${span(row.addedFirstP99)} | ${med(row.gapP50)} | ${med(row.gapP99)} | ${span(row.addedGapP99)} | ${med(row.gapMax)} | ${row.perStreamKiB ? row.perStreamKiB.median.toFixed(0) : '—'} |`,
  ),
  '',
  '## The local knowledge base',
  '',
  'Beside each figure, in brackets, the answer layer before the evidence-first one and its own index (MiniSearch; bench/RESULTS.md of 2026-12-02). Target at 10,000 pages: indexing ≤ 3 s, answer p50 ≤ 5 ms, p99 ≤ 25 ms.',
  '',
  '| Pages | Indexing, median of 3 (min–max) | Answer p50 | Answer p99 | Index heap | Answered |',
  '| --- | --- | --- | --- | --- | --- |',
  ...(kb.json.find(Array.isArray) ?? []).map((row) => {
    const before = (value, unit) => (row.before ? ` (${value(row.before)}${unit})` : '');
    return `| ${row.pages} | ${(row.indexMs / 1000).toFixed(2)} s (${(row.indexMin / 1000).toFixed(2)}–${(row.indexMax / 1000).toFixed(2)})${before((b) => (b.indexMs / 1000).toFixed(2), ' s')} | ${ms(row.answerP50)} ms${before((b) => b.answerP50, ' ms')} | ${ms(row.answerP99)} ms${before((b) => b.answerP99, ' ms')} | ${row.heapMiB.toFixed(0)} MiB${before((b) => b.heapMiB, ' MiB')} | ${(row.answered * 100).toFixed(0)}% |`;
  }),
  '',
];
writeFileSync(`${BENCH}/RESULTS.md`, lines.join('\n'));
console.log(`\nWrote ${BENCH.replace(ROOT, '')}RESULTS.md`);
