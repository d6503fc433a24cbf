// The benchmark pages (bench/streaming, one page per `?page=`): built once for production with
// Vite, served on loopback, opened in Chromium. Shared by streaming.mjs and first-token.mjs.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const root = fileURLToPath(new URL('./streaming', import.meta.url));
const outDir = join(root, 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * Builds the pages and serves them; `api` (a Node listener) answers the paths under `/api/`.
 * Resolves with the origin and a `close()`.
 */
export async function servePages(api) {
  await build({
    root,
    logLevel: 'error',
    // Top-level await picks the page.
    build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { onwarn: () => {} } },
  });
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (api && path.startsWith('/api/')) return api(request, response);
    try {
      const body = await readFile(join(outDir, path === '/' ? 'index.html' : path));
      response.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** A fresh headless Chromium (one per run, so runs do not affect each other). */
export const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/** Median, minimum and maximum. */
export function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
}
