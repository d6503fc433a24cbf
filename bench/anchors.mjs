#!/usr/bin/env node
// Bundle sizes beside the anchors, all measured the same way, as bundlephobia measures a package:
// the whole entry (`export *`), every dependency bundled in except React, minified by esbuild,
// gzip level 9, JS and CSS apart; lazy chunks counted (they are part of the package).
// `node bench/anchors.mjs [--json]`
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const REACT = ['react', 'react-dom', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom/client'];

export const ENTRIES = [
  ['Concierge hooks + core (@concierge/react)', "export * from '@concierge/react';"],
  ['Concierge whole widget (@concierge/ui, /chat, /faq, CSS)', "import '@concierge/ui/styles.css';\nexport * from '@concierge/ui';\nexport * from '@concierge/ui/chat';\nexport * from '@concierge/ui/faq';"],
  ['AI SDK @ai-sdk/react (useChat)', "export * from '@ai-sdk/react';"],
  ['@assistant-ui/react', "export * from '@assistant-ui/react';"],
  ['@chatscope/chat-ui-kit-react', "export * from '@chatscope/chat-ui-kit-react';"],
  ['react-chatbotify', "export * from 'react-chatbotify';"],
  ['deep-chat-react', "export * from 'deep-chat-react';"],
];

export async function measure(source) {
  const dir = await mkdtemp(join(BENCH, '.anchor-'));
  try {
    await writeFile(join(dir, 'entry.js'), source);
    await build({
      entryPoints: [join(dir, 'entry.js')],
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      outdir: join(dir, 'out'),
      external: REACT,
      platform: 'browser',
      define: { 'process.env.NODE_ENV': '"production"' },
      loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
      logLevel: 'silent',
    });
    let js = 0;
    let css = 0;
    for (const file of await readdir(join(dir, 'out'))) {
      const size = gzipSync(await readFile(join(dir, 'out', file)), { level: 9 }).length;
      if (file.endsWith('.css')) css += size;
      else if (file.endsWith('.js')) js += size;
    }
    return { js, css };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const rows = [];
  console.log('Whole package, every dependency but React, esbuild minify + gzip');
  for (const [name, source] of ENTRIES) {
    try {
      const { js, css } = await measure(source);
      rows.push({ name, js, css });
      console.log(`  ${name.padEnd(60)} ${kb(js).padStart(9)} JS ${css ? `+ ${kb(css)} CSS` : ''}`);
    } catch (error) {
      // esbuild's first error names what is missing.
      const text = error.errors?.[0]?.text ?? String(error.message ?? error).split('\n')[0];
      rows.push({ name, error: text.replace(/[^"]*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/g, '') });
      console.log(`  ${name.padEnd(60)} could not be bundled: ${rows.at(-1).error}`);
    }
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
}
