// Builds the page with Vite and serves it, with the Concierge proxy at /api/concierge,
// under a Content-Security-Policy that forbids inline scripts and styles.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConciergeHandler, createLocalProvider } from '@concierge/proxy';
import { toNodeListener } from '@concierge/proxy/node';
import { createServer } from 'node:http';
import { build } from 'vite';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const here = fileURLToPath(new URL('.', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Builds the page and starts the server; resolves with its origin and a `close` function. */
export async function start({ port = Number(process.env.PORT ?? 5180), kbDir = process.env.CONCIERGE_KB_DIR } = {}) {
  const outDir = join(here, 'dist');
  await build({
    root: here,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      // 'use client' matters to React Server Components only; a plain client bundle may drop it.
      rollupOptions: { onwarn: (warning, warn) => warning.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(warning) },
    },
  });
  const knowledgeBase = kbDir ?? join(here, '../../apps/storefront/content');
  // The demo catalog's pictures are files the demo storefront serves; served here too, beside the page.
  const folders = [outDir, ...(kbDir ? [] : [join(here, '../../apps/storefront/public')])];
  const proxy = toNodeListener(createConciergeHandler({ provider: createLocalProvider({ dir: knowledgeBase }) }));
  const server = createServer(async (request, response) => {
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    if (request.url?.startsWith('/api/concierge')) return proxy(request, response);
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    for (const folder of folders) {
      const file = await readFile(join(folder, path === '/' ? 'index.html' : path)).catch(() => undefined);
      if (!file) continue;
      response.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' });
      return response.end(file);
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address();
  return { origin: `http://127.0.0.1:${actual}`, close: () => server.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { origin } = await start();
  console.log(`Open ${origin}/ (Content-Security-Policy: ${CONTENT_SECURITY_POLICY})`);
}
