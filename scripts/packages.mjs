#!/usr/bin/env node
// The publishable packages, as users get them: packed tarballs (`pnpm pack` turns `workspace:*`
// into versions), checked with publint and Are the Types Wrong (ESM-only), released with
// changesets, or installed into an app from this clone.
//
//   node scripts/packages.mjs check                 pack, then publint + attw + contents (the test command runs this)
//   node scripts/packages.mjs pack <dir>            write the tarballs to <dir>
//   node scripts/packages.mjs install-into <app>    build, pack and `npm install` them into an app, as a user would
//                                                    (--no-build: packages already built; --no-save: leave package.json)
//   node scripts/packages.mjs release [--dry-run]   build, check, pack into .release/; without --dry-run, `changeset publish`
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** In dependency order. */
export const PACKAGES = ['core', 'react', 'ui', 'proxy'];
const PNPM = ['-y', 'pnpm@10'];
const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
};

/** Packs every package into `dir`; returns the tarball paths by package name. */
export function pack(dir) {
  mkdirSync(dir, { recursive: true });
  const tarballs = {};
  for (const name of PACKAGES) {
    const before = new Set(readdirSync(dir));
    run('npx', [...PNPM, 'pack', '--pack-destination', dir], { cwd: join(ROOT, 'packages', name), stdio: ['ignore', 'ignore', 'inherit'] });
    const made = readdirSync(dir).find((file) => file.endsWith('.tgz') && file.startsWith(`concierge-${name}-`) && !before.has(file))
      ?? readdirSync(dir).find((file) => file.startsWith(`concierge-${name}-`) && file.endsWith('.tgz'));
    tarballs[name] = join(dir, made);
  }
  return tarballs;
}

async function check() {
  const dir = mkdtempSync(join(tmpdir(), 'concierge-packs-'));
  const problems = [];
  try {
    const tarballs = pack(dir);
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    for (const [name, tarball] of Object.entries(tarballs)) {
      const bytes = readFileSync(tarball);
      const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, strict: true });
      for (const message of messages) problems.push(`${name}: publint ${message.type}: ${formatMessage(message, pkg)}`);
      // ESM only: CommonJS and node10 resolution are out of scope; the stylesheet is not a module.
      const attw = spawnSync('npx', ['attw', tarball, '--profile', 'esm-only', '--exclude-entrypoints', 'styles.css', '--format', 'ascii'], { encoding: 'utf8' });
      if (attw.status !== 0) problems.push(`${name}: attw:\n${attw.stdout}${attw.stderr}`);
      const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
      for (const required of ['README.md', 'LICENSE', 'package.json']) if (!files.includes(required)) problems.push(`${name}: the tarball has no ${required}`);
      for (const file of files) if (/\.(test|stories)\.tsx?$|\.mdx$|story-(helpers|frame)|\/fixtures\/|^test\//.test(file)) problems.push(`${name}: the tarball ships ${file}`);
      const manifest = pkg;
      for (const field of ['engines', 'repository', 'keywords', 'license', 'description', 'files']) {
        if (manifest[field] === undefined) problems.push(`${name}: package.json has no "${field}"`);
      }
      console.log(`@concierge/${name}: ${files.length} files, ${(bytes.byteLength / 1024).toFixed(1)} KB packed`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log('Packages: publint (strict) and attw (esm-only) clean; README, LICENSE, no tests or stories.');
}

function installInto(app, flags) {
  const target = resolve(app);
  const dir = join(target, '.concierge-packages');
  rmSync(dir, { recursive: true, force: true });
  if (!flags.includes('--no-build')) run('npx', [...PNPM, 'build'], { cwd: ROOT });
  const tarballs = pack(dir);
  // One npm install of all four, so @concierge/ui finds @concierge/core among them. `--no-save`
  // (tests) leaves the app's package.json as it is.
  const save = flags.includes('--no-save') ? ['--no-save'] : [];
  run('npm', ['install', '--no-audit', '--no-fund', ...save, ...PACKAGES.map((name) => tarballs[name])], { cwd: target });
  console.log(`Installed ${PACKAGES.map((name) => `@concierge/${name}`).join(', ')} into ${target} (tarballs in .concierge-packages/).`);
}

function release(dryRun) {
  run('npx', [...PNPM, 'build'], { cwd: ROOT });
  run(process.execPath, [fileURLToPath(import.meta.url), 'check'], { cwd: ROOT });
  const dir = join(ROOT, '.release');
  rmSync(dir, { recursive: true, force: true });
  const tarballs = pack(dir);
  for (const tarball of Object.values(tarballs)) console.log(`  ${tarball}`);
  if (dryRun) return console.log('Dry run: the tarballs above are what would be published.');
  run('npx', ['changeset', 'publish'], { cwd: ROOT });
}

const [command, argument] = process.argv.slice(2);
if (command === 'check') await check();
else if (command === 'pack' && argument) pack(resolve(argument));
else if (command === 'install-into' && argument) installInto(argument, process.argv.slice(4));
else if (command === 'release') release(process.argv.includes('--dry-run'));
else {
  console.error('Usage: node scripts/packages.mjs check | pack <dir> | install-into <app-dir> | release [--dry-run]');
  process.exit(2);
}
