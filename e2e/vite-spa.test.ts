import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/free-port';
import { launchChromium, watchProblems } from './storefront-server';

// examples/vite-spa: a Vite React single-page app with the widget, and the standalone
// `concierge-proxy` bin beside it; installed from the packed tarballs as a user would.

const APP = fileURLToPath(new URL('../examples/vite-spa', import.meta.url));
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CONCIERGE_')));

let browser: Browser;
const children: ChildProcess[] = [];

/** Starts a process and waits until `url` answers. */
async function serve(command: string, args: string[], url: string, extra: Record<string, string> = {}) {
  let output = '';
  const child = spawn(command, args, { cwd: APP, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  for (let tries = 0; !(await fetch(url).then((response) => response.ok, () => false)); tries++) {
    if (tries > 200 || child.exitCode !== null) throw new Error(`${args.join(' ')} did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return () => output;
}

beforeAll(async () => {
  if (process.env.CONCIERGE_E2E_REUSE_BUILD !== '1' || !existsSync(join(APP, 'node_modules/@concierge/ui'))) {
    const install = spawnSync(process.execPath, ['../../scripts/packages.mjs', 'install-into', '.', '--no-build', '--no-save'], { cwd: APP, encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`installing the packed packages failed:\n${install.stdout}\n${install.stderr}`);
  }
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  for (const child of children) child.kill();
  await browser?.close();
});

describe('examples/vite-spa', () => {
  it('type-checks and builds quietly, and the page answers through the standalone concierge-proxy', async () => {
    const built = spawnSync('npm', ['run', 'build'], { cwd: APP, encoding: 'utf8', env });
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
    // npm's own notices about this machine's npm config are not the build's.
    const said = `${built.stdout}\n${built.stderr}`.split('\n').filter((line) => !line.startsWith('npm warn'));
    expect(said.filter((line) => /\bwarn|error/i.test(line))).toEqual([]);

    const proxyPort = await freePort();
    await serve(join(APP, 'node_modules/.bin/concierge-proxy'), ['--port', String(proxyPort), '--kb-dir', './knowledge-base'], `http://127.0.0.1:${proxyPort}/api/concierge/health`, {
      CONCIERGE_SECRET: 'a-secret-for-the-vite-example-0123456789',
    });
    const pagePort = await freePort();
    const origin = `http://127.0.0.1:${pagePort}`;
    await serve(join(APP, 'node_modules/.bin/vite'), ['preview', '--host', '127.0.0.1', '--port', String(pagePort), '--strictPort'], origin, {
      CONCIERGE_PROXY_URL: `http://127.0.0.1:${proxyPort}`,
    });

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(origin);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Harbor help' });
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Is servicing free?');
    await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
    await dialog.getByText('serviced free for life', { exact: false }).waitFor({ timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    expect(await dialog.getByRole('link', { name: /Servicing/ }).first().getAttribute('href')).toBe('/servicing');
    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
