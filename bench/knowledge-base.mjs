#!/usr/bin/env node
// The embedded knowledge base at scale: a folder of N generated Markdown pages (three sections
// each, a varied vocabulary) is loaded and indexed by the local provider, then asked 300
// questions about pages picked at random. Prints the time to index, the answer time (p50, p99)
// and the heap the index holds. `node --expose-gc bench/knowledge-base.mjs [pages...] [--runs 3] [--json]`
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalProvider } from '@concierge/proxy';

const counts = process.argv.slice(2).filter((arg, index, all) => /^\d+$/.test(arg) && all[index - 1] !== '--runs').map(Number);
const PAGES = counts.length ? counts : [1000, 10000];
const QUESTIONS = 300;
const RUNS = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 3;

// A deterministic generator, so every run indexes the same folder.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (list) => list[Math.floor(random() * list.length)];
const NOUNS = 'jacket sweater boot kettle skillet tote belt scarf lamp chair blanket mug tent stove bottle glove hat sock pillow rug shelf basket candle apron'.split(' ');
const TOPICS = 'warranty returns shipping sizing care repair exchange delivery payment gift installments customs tracking packaging recycling'.split(' ');
const ADJECTIVES = 'waxed merino organic recycled enamel cast linen wool leather canvas bamboo copper cedar oak ceramic'.split(' ');

async function folder(pages) {
  const dir = await mkdtemp(join(tmpdir(), 'concierge-kb-'));
  const questions = [];
  for (let index = 0; index < pages; index++) {
    const noun = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${index}`;
    const topics = [pick(TOPICS), pick(TOPICS), pick(TOPICS)];
    const sections = topics.map(
      (topic) => `## ${topic[0].toUpperCase()}${topic.slice(1)} for the ${noun}\n\nThe ${noun} has a ${topic} policy of ${1 + (index % 60)} days. ${pick(ADJECTIVES)} ${pick(NOUNS)} owners ask about ${topic} often; contact us for ${pick(TOPICS)} questions.`,
    );
    await writeFile(join(dir, `page-${index}.md`), `---\nurl: /help/${index}\n---\n# ${noun}\n\n${sections.join('\n\n')}\n`);
    if (questions.length < QUESTIONS) questions.push(`What is the ${topics[1]} policy for the ${noun}?`);
  }
  return { dir, questions };
}

// The answer layer before the evidence-first one and its own BM25 index (MiniSearch, bench/RESULTS.md
// of 2026-12-02), printed beside each figure; and the targets it must meet.
const BEFORE = { 1000: { indexMs: 340, answerP50: 0.7, answerP99: 2.5, heapMiB: 6 }, 10000: { indexMs: 2630, answerP50: 11.8, answerP99: 21.0, heapMiB: 51 } };
const TARGET = { 10000: { indexMs: 3000, answerP50: 5, answerP99: 25 } };

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const rows = [];
for (const pages of PAGES) {
  const { dir, questions } = await folder(pages);
  // Indexed RUNS times: the median and the spread; the heap is what the first index holds.
  const indexTimes = [];
  let provider;
  let heapMiB = 0;
  for (let run = 0; run < RUNS; run++) {
    provider = undefined;
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    provider = await createLocalProvider({ dir, chunkDelayMs: 0 });
    indexTimes.push(performance.now() - started);
    globalThis.gc?.();
    if (run === 0) heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  }
  const indexMs = percentile(indexTimes, 50);
  const times = [];
  let answered = 0;
  for (const question of questions) {
    const start = performance.now();
    let text = '';
    for await (const event of provider.reply({ message: question, threadId: undefined, history: [], signal: new AbortController().signal })) {
      if (event.type === 'delta') text += event.text;
    }
    times.push(performance.now() - start);
    if (!/don't know|not sure/.test(text)) answered++;
  }
  const row = { pages, indexMs, indexMin: Math.min(...indexTimes), indexMax: Math.max(...indexTimes), runs: RUNS, answerP50: percentile(times, 50), answerP99: percentile(times, 99), heapMiB, answered: answered / questions.length };
  row.before = BEFORE[pages];
  row.target = TARGET[pages];
  rows.push(row);
  console.log(
    `${String(pages).padStart(6)} pages: indexed in ${(indexMs / 1000).toFixed(2)} s (median of ${RUNS}, ${(row.indexMin / 1000).toFixed(2)}–${(row.indexMax / 1000).toFixed(2)}), answer p50 ${row.answerP50.toFixed(1)} ms p99 ${row.answerP99.toFixed(1)} ms, ` +
      `index heap ${heapMiB.toFixed(0)} MiB${globalThis.gc ? '' : ' (run with --expose-gc for an exact figure)'}, answered ${(row.answered * 100).toFixed(0)}%`,
  );
  if (row.before) console.log(`${' '.repeat(13)}before: indexed in ${(row.before.indexMs / 1000).toFixed(2)} s, answer p50 ${row.before.answerP50} ms p99 ${row.before.answerP99} ms, index heap ${row.before.heapMiB} MiB`);
  if (row.target) console.log(`${' '.repeat(13)}target: indexed in ≤ ${(row.target.indexMs / 1000).toFixed(0)} s, answer p50 ≤ ${row.target.answerP50} ms p99 ≤ ${row.target.answerP99} ms`);
  await rm(dir, { recursive: true, force: true });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
