#!/usr/bin/env node
// Streams a long reply in Chromium and prints how hard the page worked. Pages: `widget` (our whole
// chat window, Markdown on), `hooks` (our hooks, plain markup), `usechat` (the AI SDK's useChat,
// plain markup; `--throttle 50` sets its throttle), all on the same paced stream and thread.
// Usage: node bench/streaming.mjs [--page widget|hooks|usechat] [--history 20] [--throttle ms]
//        [--tokens 5000] [--duration 5000] [--runs 5] [--json]
import { parseArgs } from 'node:util';
import { launch, servePages } from './pages.mjs';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
    page: { type: 'string', default: 'widget' },
    history: { type: 'string', default: '20' },
    throttle: { type: 'string', default: '' },
    json: { type: 'boolean', default: false },
  },
});
const PAGES = ['widget', 'hooks', 'usechat'];
if (!PAGES.includes(values.page)) throw new Error(`--page must be one of ${PAGES.join(', ')}`);
const { origin, close } = await servePages();

async function run() {
  const browser = await launch();
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const throttle = values.throttle ? `&throttle=${values.throttle}` : '';
  await page.goto(`${origin}/?page=${values.page}&tokens=${values.tokens}&duration=${values.duration}&history=${values.history}${throttle}`);
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('Tell me everything');
  const metric = async (name) => (await cdp.send('Performance.getMetrics')).metrics.find((entry) => entry.name === name).value;
  const taskBefore = await metric('TaskDuration');
  const scriptBefore = await metric('ScriptDuration');
  await input.press('Enter');
  await page.waitForFunction(() => window.__bench.done, null, { timeout: 120_000, polling: 100 });
  const busy = (await metric('TaskDuration')) - taskBefore;
  const script = (await metric('ScriptDuration')) - scriptBefore;
  const bench = await page.evaluate(() => window.__bench);
  await browser.close();
  return { ...bench, busy, script, seconds: (bench.endedAt - bench.startedAt) / 1000 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  const results = [];
  for (let index = 0; index < Number(values.runs); index++) results.push(await run());
  const pick = (key) => results.map((result) => result[key]);
  const range = (key, digits = 2) => `median ${median(pick(key)).toFixed(digits)} (${Math.min(...pick(key)).toFixed(digits)}–${Math.max(...pick(key)).toFixed(digits)})`;
  const worstRatio = Math.max(...results.map((result) => result.commitsStreaming / result.frames));
  const what = { widget: 'our chat window (Markdown on)', hooks: 'our hooks, plain markup', usechat: `AI SDK useChat, plain markup, ${values.throttle ? `${values.throttle} ms throttle` : 'no throttle (its default)'}` }[values.page];
  console.log(`Streaming ${values.tokens} tokens over ${Number(values.duration) / 1000} s into ${what}, ${values.history} earlier messages (Chromium, production build, ${results.length} runs)`);
  console.log(`  reply finished after            ${range('seconds')} s`);
  console.log(`  animation frames in that time   ${range('frames', 0)}`);
  console.log(`  commits to the streaming reply  ${range('commitsStreaming', 0)}  (at most one per frame in every run: ${worstRatio <= 1.01 ? 'yes' : 'NO'})`);
  console.log(`  commits to other messages       ${Math.max(...pick('commitsOther'))} at most`);
  console.log(`  main thread busy                ${range('busy')} s (script ${range('script')} s)`);
  if (values.json) {
    const summary = (key) => ({ median: median(pick(key)), min: Math.min(...pick(key)), max: Math.max(...pick(key)) });
    console.log(JSON.stringify({ page: values.page, throttle: values.throttle || null, history: Number(values.history), runs: results.length, frames: summary('frames'), commitsStreaming: summary('commitsStreaming'), commitsOther: Math.max(...pick('commitsOther')), busy: summary('busy'), script: summary('script') }));
  }
} finally {
  close();
}
