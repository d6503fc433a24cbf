import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStorefront } from './storefront-server';

// The conversation engine in a real browser, on the demo store (local provider): the orders of
// events shoppers actually produce.

let browser: Browser;
let storefront: Awaited<ReturnType<typeof startStorefront>>;

beforeAll(async () => {
  storefront = await startStorefront();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  storefront?.close();
});

/** Every POST of a message the context's pages make, with its Idempotency-Key. */
function watchMessages(context: BrowserContext) {
  const posts: { message: string; key: string | undefined; page: string }[] = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/concierge/messages')) {
      const body = JSON.parse(request.postData() ?? '{}') as { message: string };
      posts.push({ message: body.message, key: request.headers()['idempotency-key'], page: request.frame().page().url() });
    }
  });
  return posts;
}

async function openChat(page: Page, path = '/') {
  await page.goto(`${storefront.origin}${path}`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
  await dialog.getByRole('textbox', { name: 'Message' }).waitFor();
  return dialog;
}

const articles = (page: Page) =>
  page.locator('.concierge-log article').evaluateAll((nodes) =>
    nodes.map((node) => {
      const { role, turn, status } = (node as HTMLElement).dataset;
      return `${role}:${(role === 'user' ? turn : status) ?? '-'}`;
    }),
  );

describe('the conversation engine in Chromium', () => {
  it('"Ask a follow-up" while a reply streams keeps the order [Q1, A1 interrupted, FAQ question, FAQ answer]', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${storefront.origin}/products/waxed-canvas-field-jacket`);
    const care = page.getByRole('button', { name: 'How do I care for the Waxed Canvas Field Jacket?' });
    await care.click();
    const followUp = page.getByRole('region', { name: 'How do I care for the Waxed Canvas Field Jacket?' }).getByRole('button', { name: 'Ask a follow-up' });
    await followUp.waitFor();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    // Click "Ask a follow-up" the moment the first words of the reply are on screen.
    await followUp.evaluate((button: HTMLElement) => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('.concierge-log [data-status="streaming"] .concierge-markdown')) return;
        observer.disconnect();
        button.click();
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const input = dialog.getByRole('textbox', { name: 'Message' });
    await input.fill('What is your return policy?');
    await input.press('Enter');
    const log = dialog.getByRole('log');
    await log.locator('article[data-role="assistant"]').getByText('Re-wax once a year', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    expect(await articles(page)).toEqual(['user:interrupted', 'assistant:interrupted', 'user:done', 'assistant:-']);
    const texts = await log.locator('article .concierge-bubble').allTextContents();
    expect(texts[0]).toBe('What is your return policy?');
    expect(texts[2]).toBe('How do I care for the Waxed Canvas Field Jacket?');
    await context.close();
  });

  it('a message written offline survives a reload offline and is answered once when the connection is back', async () => {
    const context = await browser.newContext();
    const posts = watchMessages(context);
    // "Offline" for the app: navigator.onLine is false and every call to the proxy fails, while the
    // page itself can still be reloaded.
    await context.addInitScript(() => {
      const offline = sessionStorage.getItem('test:offline') === '1';
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => sessionStorage.getItem('test:offline') !== '1' });
      if (offline) addEventListener('load', () => dispatchEvent(new Event('offline')));
    });
    const cutProxy = (route: { abort: (code: string) => Promise<void> }) => route.abort('internetdisconnected');
    const page = await context.newPage();
    const dialog = await openChat(page);
    await page.evaluate(() => sessionStorage.setItem('test:offline', '1'));
    await context.route('**/api/concierge/**', cutProxy);

    const input = dialog.getByRole('textbox', { name: 'Message' });
    await input.fill('Do you ship to Canada?');
    await input.press('Enter');
    await dialog.getByText('Offline: sends when you are back online').waitFor();

    await page.reload();
    const reopened = page.getByRole('dialog', { name: 'Larkfield help' });
    await reopened.getByText('Offline: sends when you are back online').waitFor();
    expect(await reopened.getByText('Not sent').count()).toBe(0);

    await context.unroute('**/api/concierge/**', cutProxy);
    await page.evaluate(() => {
      sessionStorage.removeItem('test:offline');
      dispatchEvent(new Event('online'));
    });
    await reopened.getByText('We ship to Canada', { exact: false }).waitFor();
    await reopened.getByRole('button', { name: 'Send' }).waitFor();
    expect(await reopened.getByText('Offline: sends when you are back online').count()).toBe(0);
    expect(await reopened.getByText('Not sent').count()).toBe(0);
    expect(await articles(page)).toEqual(['user:done', 'assistant:-']);
    expect(posts.map((post) => post.message)).toEqual(['Do you ship to Canada?']);

    // The reply is on the server once, and still there after another reload.
    const { threadId, threadToken } = await page.evaluate(() => JSON.parse(localStorage.getItem('concierge:thread')!) as { threadId: string; threadToken: string });
    const history = (await (await fetch(`${storefront.origin}/api/concierge/threads/${threadId}`, { headers: { 'concierge-thread-token': threadToken } })).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(2);
    await page.reload();
    await page.getByRole('dialog', { name: 'Larkfield help' }).getByText('We ship to Canada', { exact: false }).waitFor();
    expect(await articles(page)).toEqual(['user:-', 'assistant:-']);
    await context.close();
  });

  it('two tabs show the same conversation without a reload, and a queued turn is sent by one tab only', async () => {
    const context = await browser.newContext();
    const posts = watchMessages(context);
    const first = await context.newPage();
    const second = await context.newPage();
    const one = await openChat(first);
    const two = await openChat(second, '/policies/shipping');

    await one.getByRole('textbox', { name: 'Message' }).fill('What is your return policy?');
    await one.getByRole('textbox', { name: 'Message' }).press('Enter');
    await one.getByText('within 30 days of delivery', { exact: false }).waitFor();
    await two.getByText('What is your return policy?').waitFor();
    await two.getByText('within 30 days of delivery', { exact: false }).waitFor();

    await two.getByRole('textbox', { name: 'Message' }).fill('How long do refunds take?');
    await two.getByRole('textbox', { name: 'Message' }).press('Enter');
    await one.getByText('within 5 business days', { exact: false }).waitFor();

    // Written offline in one tab, so both tabs hold it queued; when the connection is back both try.
    await context.setOffline(true);
    await one.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Canada?');
    await one.getByRole('textbox', { name: 'Message' }).press('Enter');
    await two.getByText('Do you ship to Canada?').waitFor();
    await context.setOffline(false);
    await one.getByText('We ship to Canada', { exact: false }).waitFor();
    await two.getByText('We ship to Canada', { exact: false }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(posts.map((post) => post.message)).toEqual(['What is your return policy?', 'How long do refunds take?', 'Do you ship to Canada?']);
    expect(new Set(posts.map((post) => post.key)).size).toBe(3);
    expect(await articles(first)).toEqual(await articles(second));
    expect(await articles(first)).toHaveLength(6);
    await context.close();
  });
});
