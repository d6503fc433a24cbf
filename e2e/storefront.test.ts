import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStorefront } from './storefront-server';

let browser: Browser | undefined;
let storefront: Awaited<ReturnType<typeof startStorefront>> | undefined;
let origin = '';

beforeAll(async () => {
  storefront = await startStorefront();
  origin = storefront.origin;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  storefront?.close();
});

/** Console errors and uncaught exceptions (hydration mismatches land here). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) {
      errors.push(`${response.status()} ${response.url()}`);
    }
  });
  return errors;
}

describe('demo storefront', () => {
  it('answers, streams with sources, follows up in the same thread, survives a reload and refuses an empty message', async () => {
    const page = await browser!.newPage();
    const errors = watchErrors(page);
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) external.push(request.url());
    });

    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    const log = dialog.getByRole('log');
    const input = dialog.getByRole('textbox', { name: 'Message' });

    await input.fill('What is your return policy?');
    await dialog.getByRole('button', { name: 'Send' }).click();

    // The answer arrives in pieces: seen part-way, then complete.
    const streaming = log.locator('[data-status="streaming"] .concierge-markdown');
    await streaming.waitFor();
    const partial = (await streaming.textContent()) ?? '';
    const answer = log.locator('article[data-role="assistant"]').last();
    await answer.getByRole('link', { name: /Returns and refunds/ }).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    const complete = (await answer.textContent()) ?? '';
    expect(complete).toContain('within 30 days of delivery');
    expect(partial.length).toBeLessThan(complete.length);
    expect(await answer.getByRole('link', { name: /Returns and refunds/ }).getAttribute('href')).toBe('/policies/returns');

    const { threadId, threadToken } = await page.evaluate(() => JSON.parse(localStorage.getItem('concierge:thread')!) as { threadId: string; threadToken: string });
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);

    await input.fill('How long do refunds take?');
    await input.press('Enter');
    await log.getByText('within 5 business days').waitFor();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('concierge:thread')!).threadId)).toBe(threadId);
    const history = (await (await fetch(`${origin}/api/concierge/threads/${threadId}`, { headers: { 'concierge-thread-token': threadToken } })).json()) as {
      messages: { role: string; text: string }[];
    };
    expect(history.messages.map((message) => message.text.slice(0, 26))).toEqual([
      'What is your return policy',
      expect.stringContaining('**Returns and ref'),
      'How long do refunds take?',
      expect.stringContaining('**Returns and ref'),
    ]);

    // Another client that learns the thread id can neither read nor continue it.
    expect((await fetch(`${origin}/api/concierge/threads/${threadId}`)).status).toBe(404);
    const intruder = await fetch(`${origin}/api/concierge/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'What is my order number?', threadId, stream: false }),
    });
    expect(intruder.status).toBe(404);

    await page.reload();
    const reopened = page.getByRole('dialog', { name: 'Larkfield help' });
    await reopened.getByText('How long do refunds take?').waitFor();
    await expect(reopened.getByRole('log').getByText('What is your return policy?').count()).resolves.toBe(1);
    await expect(reopened.getByRole('log').getByText(/within 5 business days/).count()).resolves.toBe(1);
    const messagesBefore = await reopened.locator('article').count();

    const reloadedInput = reopened.getByRole('textbox', { name: 'Message' });
    await reloadedInput.fill('   ');
    await reopened.getByRole('button', { name: 'Send' }).click();
    await reopened.getByText('Type a message first.').waitFor();
    expect(await reloadedInput.inputValue()).toBe('   ');
    expect(await reopened.locator('article').count()).toBe(messagesBefore);

    await reloadedInput.press('Escape');
    expect(await reopened.isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open chat');

    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('keeps a message written offline and sends it when the connection is back', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    const input = dialog.getByRole('textbox', { name: 'Message' });
    await input.waitFor();
    await context.setOffline(true);
    await input.fill('Do you ship to Canada?');
    await input.press('Enter');
    await dialog.getByText('Offline: sends when you are back online').waitFor();
    expect(await dialog.getByRole('alert').count()).toBe(0);
    await context.setOffline(false);
    await dialog.getByText('We ship to Canada', { exact: false }).waitFor();
    expect(await dialog.getByText('Offline: sends when you are back online').count()).toBe(0);
    await context.close();
  });

  it('loads only the launcher with the page and fetches the chat window on first open', async () => {
    const page = await browser!.newPage();
    const scripts: { url: string; body: string }[] = [];
    page.on('response', async (response) => {
      if (response.url().endsWith('.js')) scripts.push({ url: response.url(), body: await response.text() });
    });
    await page.goto(`${origin}/products/linen-camp-shirt`);
    await page.waitForLoadState('networkidle');
    const atLoad = scripts.length;
    expect(scripts.some((script) => script.body.includes('concierge-launcher'))).toBe(true);
    expect(scripts.some((script) => script.body.includes('concierge-composer'))).toBe(false);

    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('dialog').waitFor();
    const windowChunks = scripts.slice(atLoad).filter((script) => script.body.includes('concierge-composer'));
    expect(windowChunks).toHaveLength(1);
    await page.close();
  });

  it('renders product and policy pages with the chat on each, without hydration errors', async () => {
    const page = await browser!.newPage();
    const errors = watchErrors(page);
    for (const path of ['/products/cast-iron-skillet', '/policies/shipping']) {
      await page.goto(`${origin}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Open chat' }).waitFor();
    }
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Shipping');
    expect(errors).toEqual([]);
    await page.close();
  });
});
