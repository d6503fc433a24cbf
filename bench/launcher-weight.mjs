#!/usr/bin/env node
// What <ConciergeWidget> adds to a page at load, with every bundler stores use: a tiny React app
// is built twice (with and without the widget) by Vite (Rolldown), esbuild (--splitting), webpack
// and Next.js (Turbopack and webpack); Chromium loads each page and the JavaScript it fetched
// before any click is summed (min + gzip). The difference is the widget's page-load cost, React
// excluded. Then the launcher is clicked: the chat window must arrive only then.
//
// `node bench/launcher-weight.mjs [--check] [--only vite,esbuild,webpack,next-turbopack,next-webpack]`
// --check fails when a page-load cost is over the budget or the window came with the page.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const WORK = join(BENCH, '.launcher-weight');
// KB at page load, with every bundler. esbuild comes closest: its code splitting moves React, which
// the page and the lazy window share, out of the page's file into chunks of their own, which
// compress worse (about 1.3 KB of what it measures); the widget's own code is the same 1.7 KB.
const BUDGET_KB = 3;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;

const APP = (widget) => `import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
${widget ? "import { ConciergeWidget } from '@concierge/ui';\n" : ''}
createRoot(document.getElementById('root')).render(
  createElement('main', null, createElement('h1', null, 'A shop'), ${widget ? "createElement(ConciergeWidget, { endpoint: '/api/concierge' })" : 'null'}),
);
`;
const HTML = (script) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><div id="root"></div><script type="module" src="${script}"></script></body></html>`;
const env = { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Builds the two variants of a static app; returns the folders to serve. */
const STATIC = {
  async vite(dir, widget) {
    await writeFile(join(dir, 'main.js'), APP(widget));
    await writeFile(join(dir, 'index.html'), HTML('./main.js'));
    const { build } = await import('vite');
    await build({ root: dir, logLevel: 'silent', configFile: false, build: { outDir: join(dir, 'out'), minify: true } });
    return join(dir, 'out');
  },
  async esbuild(dir, widget) {
    await writeFile(join(dir, 'main.js'), APP(widget));
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(dir, 'main.js')],
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      outdir: join(dir, 'out'),
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    });
    await writeFile(join(dir, 'out', 'index.html'), HTML('./main.js'));
    return join(dir, 'out');
  },
  async webpack(dir, widget) {
    await writeFile(join(dir, 'main.js'), APP(widget));
    const { default: webpack } = await import('webpack');
    const stats = await new Promise((resolve, reject) =>
      webpack({
        mode: 'production',
        context: dir,
        entry: './main.js',
        output: { path: join(dir, 'out'), filename: '[name].js', chunkFilename: '[name].[contenthash].js', publicPath: '/' },
        resolve: { modules: [join(BENCH, 'node_modules'), 'node_modules'] },
        performance: { hints: false },
      }).run((error, result) => (error ? reject(error) : resolve(result))),
    );
    if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
    await writeFile(join(dir, 'out', 'index.html'), HTML('/main.js'));
    return join(dir, 'out');
  },
};

/** Serves a folder; `/` is index.html. */
async function serveStatic(root) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    try {
      const body = await readFile(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
      response.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      // The proxy is not part of this measurement.
      response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** A Next.js app with two pages: `/` with the widget, `/bare` without, built by `bundler`. */
async function nextApp(dir, bundler) {
  await mkdir(join(dir, 'app', 'bare'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  await writeFile(join(dir, 'next.config.mjs'), 'export default {};\n');
  await writeFile(
    join(dir, 'app', 'layout.js'),
    "export default function Layout({ children }) { return <html lang=\"en\"><body>{children}</body></html>; }\n",
  );
  await writeFile(join(dir, 'app', 'chat.js'), "'use client';\nimport { ConciergeWidget } from '@concierge/ui';\nexport function Chat() { return <ConciergeWidget endpoint=\"/api/concierge\" />; }\n");
  await writeFile(join(dir, 'app', 'page.js'), "import { Chat } from './chat';\nexport default function Page() { return <main><h1>A shop</h1><Chat /></main>; }\n");
  await writeFile(join(dir, 'app', 'bare', 'page.js'), 'export default function Page() { return <main><h1>A shop</h1></main>; }\n');
  const next = join(BENCH, 'node_modules', 'next', 'dist', 'bin', 'next');
  run(process.execPath, [next, 'build', bundler === 'webpack' ? '--webpack' : '--turbopack'], dir);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: dir, env, stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (await fetch(`${origin}/bare`).then((response) => response.ok, () => false)) break;
    if (tries > 120) throw new Error('next start did not answer');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { origin, close: () => child.kill() };
}

/** Loads a page in Chromium: the JS it fetched at load (gzip bytes), and what a click on the launcher added. */
async function measure(browser, url, { open = false } = {}) {
  const page = await browser.newPage();
  const scripts = new Map();
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'script' || !response.ok()) return;
    scripts.set(response.url(), response.body().then((body) => gzipSync(body, { level: 9 }).length, () => 0));
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const atLoad = new Map(scripts);
  let onOpen = 0;
  if (open) {
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('dialog').waitFor();
    await page.waitForLoadState('networkidle');
    for (const [url, size] of scripts) if (!atLoad.has(url)) onOpen += await size;
  }
  let load = 0;
  for (const size of atLoad.values()) load += await size;
  await page.close();
  return { load, onOpen };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const rows = [];
try {
  await rm(WORK, { recursive: true, force: true });
  for (const bundler of ['vite', 'esbuild', 'webpack', 'next-turbopack', 'next-webpack']) {
    if (only && !only.includes(bundler)) continue;
    let bare;
    let widget;
    if (bundler.startsWith('next-')) {
      const dir = join(WORK, bundler);
      const app = await nextApp(dir, bundler.slice(5));
      try {
        bare = await measure(browser, `${app.origin}/bare`);
        widget = await measure(browser, `${app.origin}/`, { open: true });
      } finally {
        app.close();
      }
    } else {
      const results = [];
      for (const withWidget of [false, true]) {
        const dir = join(WORK, `${bundler}-${withWidget ? 'widget' : 'bare'}`);
        await mkdir(dir, { recursive: true });
        const server = await serveStatic(await STATIC[bundler](dir, withWidget));
        try {
          results.push(await measure(browser, `${server.origin}/`, { open: withWidget }));
        } finally {
          server.close();
        }
      }
      [bare, widget] = results;
    }
    rows.push({ bundler, pageLoad: widget.load - bare.load, onOpen: widget.onOpen });
  }
} finally {
  await browser.close();
  await rm(WORK, { recursive: true, force: true });
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
console.log(`<ConciergeWidget> in a page, JS min + gzip, React excluded (budget at page load: ${BUDGET_KB} KB)`);
console.log('  bundler           page load    on first open');
for (const row of rows) console.log(`  ${row.bundler.padEnd(16)} ${kb(row.pageLoad).padStart(9)}   ${kb(row.onOpen).padStart(9)}`);

if (process.argv.includes('--check')) {
  const problems = rows.flatMap((row) => [
    ...(row.pageLoad > BUDGET_KB * 1024
      ? [`${row.bundler}: the widget adds ${kb(row.pageLoad)} at page load (budget ${BUDGET_KB} KB)`]
      : []),
    ...(row.onOpen < 10 * 1024 ? [`${row.bundler}: opening the chat fetched only ${kb(row.onOpen)}: the window came with the page`] : []),
  ]);
  for (const problem of problems) console.error(problem);
  process.exit(problems.length ? 1 : 0);
}
