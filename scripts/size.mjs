#!/usr/bin/env node
// Prints what the packages cost a storefront, minified and gzipped, React excluded:
// hooks + core, the launcher at page load, and the whole widget once opened.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const UI_PACKAGE = fileURLToPath(new URL('../packages/ui', import.meta.url));
const REACT = ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client'];

async function bundle(name, source, external) {
  // Inside the UI package, so the entry resolves the workspace packages as an app would.
  const dir = await mkdtemp(join(UI_PACKAGE, `.size-${name}-`));
  const entry = join(dir, 'entry.js');
  await writeFile(entry, source);
  await build({
    logLevel: 'silent',
    configFile: false,
    root: process.cwd(),
    build: {
      outDir: join(dir, 'out'),
      minify: true,
      write: true,
      cssCodeSplit: false,
      rollupOptions: { input: entry, external, preserveEntrySignatures: 'strict', output: { format: 'es', entryFileNames: 'entry.js' } },
    },
  });
  const files = await readdir(join(dir, 'out'), { recursive: true });
  const sizes = {};
  for (const file of files.filter((file) => /\.(js|css)$/.test(file))) {
    sizes[file] = gzipSync(await readFile(join(dir, 'out', file)), { level: 9 }).length;
  }
  await rm(dir, { recursive: true, force: true });
  return sizes;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const total = (sizes) => Object.values(sizes).reduce((sum, size) => sum + size, 0);

const hooks = await bundle(
  'hooks',
  "export * from '@concierge/react';",
  [...REACT, '@tanstack/react-query'],
);
const widget = await bundle(
  'widget',
  "import '../src/styles.css';\nexport { ConciergeWidget, ProductFaqs } from '../dist/index.js';",
  REACT,
);
const launcherOnly = await bundle(
  'launcher',
  "export { ConciergeWidget } from '../dist/index.js';",
  REACT,
);
const css = Object.entries(widget).filter(([file]) => file.endsWith('.css'));
const launcher = widget['entry.js'] ?? 0;

console.log('min + gzip, React excluded');
console.log(`  hooks + core (React Query excluded)  ${kb(total(hooks)).padStart(8)}   target ≤ 6 KB`);
console.log(`  page-load entry: launcher + FAQ accordion (JS)  ${kb(launcher).padStart(8)}`);
console.log(`  launcher at page load (JS)           ${kb(launcherOnly['entry.js'] ?? 0).padStart(8)}   target ≤ 5 KB`);
console.log(`  whole widget (JS + CSS)              ${kb(total(widget)).padStart(8)}   target ≤ 30 KB`);
console.log(`    of which CSS                       ${kb(css.reduce((sum, [, size]) => sum + size, 0)).padStart(8)}`);
for (const [file, size] of Object.entries(widget)) console.log(`    ${file.padEnd(34)} ${kb(size).padStart(8)}`);

// --check: fail when a budget is exceeded (part of the test command).
if (process.argv.includes('--check')) {
  const over = [
    ['hooks + core', total(hooks), 6],
    ['launcher at page load', launcherOnly['entry.js'] ?? 0, 5],
    ['whole widget', total(widget), 30],
  ].filter(([, bytes, budget]) => bytes > budget * 1024);
  for (const [name, bytes, budget] of over) console.error(`Over budget: ${name} is ${kb(bytes)}, budget ${budget} KB`);
  process.exit(over.length ? 1 : 0);
}
