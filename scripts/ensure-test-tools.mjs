#!/usr/bin/env node
// Makes sure the tools the tests run for real exist: a Chromium for the browser tests and a
// redis-server for the shared-store tests. Installs Debian's packages when one is missing and we
// may (root, apt-get available); otherwise explains what to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = [];
if (!existsSync(chromium)) missing.push(['chromium', `a Chromium at ${chromium}`, 'or set CHROMIUM_PATH to a Chromium or Chrome binary']);
if (!has('redis-server')) missing.push(['redis-server', 'redis-server on the PATH', '']);
if (!missing.length) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canInstall = isRoot && has('apt-get') && !(missing.some(([name]) => name === 'chromium') && process.env.CHROMIUM_PATH);
if (!canInstall) {
  for (const [name, what, otherwise] of missing) {
    console.error(`No ${what}. Install it (Debian/Ubuntu: sudo apt-get install -y ${name}) ${otherwise}, then run the tests again.`);
  }
  process.exit(1);
}

const packages = missing.map(([name]) => name);
console.log(`Installing ${packages.join(' and ')} from Debian packages for the tests…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
if (!existsSync(chromium) || !has('redis-server')) {
  console.error('apt-get finished but a tool is still missing.');
  process.exit(1);
}
