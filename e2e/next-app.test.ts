import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/free-port';
import { launchChromium, watchProblems } from './storefront-server';

// examples/next-app: a fresh Next.js App Router app with Concierge added as the README says,
// installed from the packed tarballs as a user would (not part of the workspace). Built with
// Turbopack and with webpack as a standalone server, which runs from another directory and
// must answer from the knowledge base traced into it.

const APP = fileURLToPath(new URL('../examples/next-app', import.meta.url));
const NEXT = join(APP, 'node_modules/next/dist/bin/next');
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CONCIERGE_')));

let browser: Browser;

beforeAll(async () => {
  if (process.env.CONCIERGE_E2E_REUSE_BUILD !== '1' || !existsSync(join(APP, 'node_modules/@concierge/ui'))) {
    // The packages were built by the test command; pack them and npm-install them into the app.
    const install = spawnSync(process.execPath, ['../../scripts/packages.mjs', 'install-into', '.', '--no-build', '--no-save'], {
      cwd: APP,
      encoding: 'utf8',
    });
    if (install.status !== 0) throw new Error(`installing the packed packages failed:\n${install.stdout}\n${install.stderr}`);
  }
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

function build(...args: string[]) {
  rmSync(join(APP, '.next'), { recursive: true, force: true });
  return spawnSync(process.execPath, [NEXT, 'build', ...args], { cwd: APP, encoding: 'utf8', env });
}

describe.each([
  ['Turbopack', []],
  ['webpack', ['--webpack']],
] as const)('examples/next-app built with %s', (_, flags) => {
  it('builds, type-checks, and its standalone server run from another directory answers a question in Chromium, with no console errors', async () => {
    const built = build(...flags);
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
    const types = spawnSync(process.execPath, [join(APP, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: APP, encoding: 'utf8' });
    expect(types.status, types.stdout).toBe(0);

    // A deploy: the standalone folder (and the static files) copied elsewhere, started from yet another directory.
    const deploy = mkdtempSync(join(tmpdir(), 'concierge-standalone-'));
    cpSync(join(APP, '.next/standalone'), deploy, { recursive: true });
    cpSync(join(APP, '.next/static'), join(deploy, '.next/static'), { recursive: true });
    expect(existsSync(join(deploy, 'content/help/shipping.md'))).toBe(true);
    const port = await freePort();
    let output = '';
    const server = spawn(process.execPath, [join(deploy, 'server.js')], {
      cwd: tmpdir(),
      env: { ...env, PORT: String(port), HOSTNAME: '127.0.0.1', CONCIERGE_SECRET: 'a-secret-for-the-example-app-0123456789', CONCIERGE_TRUST_PROXY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    try {
      const origin = `http://127.0.0.1:${port}`;
      for (let tries = 0; !(await fetch(`${origin}/api/concierge/health`).then((response) => response.ok, () => false)); tries++) {
        if (tries > 100 || server.exitCode !== null) throw new Error(`the standalone server did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = watchProblems(page);
      const bodies: unknown[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/api/concierge/messages')) bodies.push(JSON.parse(request.postData() ?? '{}'));
      });
      await page.goto(origin);
      await page.evaluate(() => localStorage.setItem('cart-items', '2'));
      await page.getByRole('button', { name: 'Open chat' }).click();
      const dialog = page.getByRole('dialog', { name: 'Fernhill help' });
      await dialog.getByRole('textbox', { name: 'Message' }).fill('How long does standard delivery take?');
      await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
      await dialog.getByText('Standard delivery takes 2–4 business days', { exact: false }).waitFor({ timeout: 20_000 });
      await dialog.getByRole('button', { name: 'Send' }).waitFor();
      expect(await dialog.getByRole('link', { name: /Shipping/ }).first().getAttribute('href')).toBe('/help/shipping');
      expect(problems).toEqual([]);
      // The function props went through the app's client wrapper: `context` was read at Send.
      expect(bodies).toEqual([expect.objectContaining({ message: 'How long does standard delivery take?', metadata: { cartItems: 2 } })]);
      await context.close();
    } finally {
      server.kill();
      rmSync(deploy, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('examples/next-app with a bad setting', () => {
  it('a missing knowledge base fails next build with the message concierge-proxy gives, before any request', () => {
    rmSync(join(APP, '.next'), { recursive: true, force: true });
    const built = spawnSync(process.execPath, [NEXT, 'build'], { cwd: APP, encoding: 'utf8', env: { ...env, CONCIERGE_KB_DIR: 'no-such-folder' } });
    expect(built.status).not.toBe(0);
    expect(`${built.stdout}${built.stderr}`).toContain('concierge: CONCIERGE_KB_DIR: the knowledge base folder');
    expect(`${built.stdout}${built.stderr}`).toContain('no-such-folder does not exist.');
  }, 120_000);
});
