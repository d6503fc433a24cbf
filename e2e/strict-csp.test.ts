import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The runnable example doubles as the fixture: a Vite page served under a strict CSP.
import { CONTENT_SECURITY_POLICY, start } from '../examples/vite-csp/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;
let site: { origin: string; close: () => void };

beforeAll(async () => {
  site = await start({ port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  site?.close();
});

describe('the widget under a strict Content-Security-Policy', () => {
  it('opens, streams an answer with Markdown and sources, and triggers no violation', async () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval/);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });

    const response = await page.goto(`${site.origin}/`);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Customer support' });
    await dialog.getByText('Hello from a locked-down page.').waitFor();
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Is the cast iron skillet dishwasher safe?');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('list', { name: 'Sources' }).getByRole('link', { name: 'Cast Iron Skillet 26 cm' }).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    expect(await dialog.locator('article[data-role="assistant"] strong').first().textContent()).toBe('Cast Iron Skillet 26 cm');

    // The brand colour reached the widget without a style attribute the policy would block.
    expect(await page.locator('.concierge-header').evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgb(91, 42, 134)');
    // The stylesheet applied: the launcher is a fixed, round button.
    const launcher = page.getByRole('button', { name: 'Close chat' }).last();
    expect(await launcher.evaluate((element) => getComputedStyle(element).borderRadius)).toBe('50%');
    expect(await page.locator('.concierge').evaluate((element) => getComputedStyle(element).position)).toBe('fixed');
    expect(problems).toEqual([]);
    await page.close();
  });
});
