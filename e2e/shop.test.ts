import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStorefront } from './storefront-server';

// Answers a shopper trusts, on the demo store in Chromium: product cards that fill the mini
// cart, and the order lookup on the demo's order book.

let browser: Browser;
let storefront: Awaited<ReturnType<typeof startStorefront>>;

beforeAll(async () => {
  [storefront, browser] = await Promise.all([startStorefront({ CONCIERGE_LOCAL_CHUNK_DELAY_MS: '0' }), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  storefront?.close();
});

async function openChat() {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${storefront.origin}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
  const ask = async (text: string) => {
    await dialog.getByRole('textbox', { name: 'Message' }).fill(text);
    await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.waitForFunction(() => !document.querySelector('.concierge-log [data-status="streaming"]'));
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
  };
  return { page, dialog, ask, problems };
}

describe('the demo store', () => {
  it('recommends with product cards, and "Add to cart" fills the mini cart', async () => {
    const { page, dialog, ask, problems } = await openChat();
    await ask('I want a warm sweater for winter hiking, what do you recommend?');
    const cards = dialog.getByRole('list', { name: 'Products' });
    const card = cards.getByRole('listitem').filter({ hasText: 'Merino Crew Sweater' });
    await card.waitFor();
    expect(await card.getByRole('link', { name: 'Merino Crew Sweater' }).getAttribute('href')).toBe('/products/merino-crew-sweater');
    expect(await card.textContent()).toContain('$128.00');
    await card.getByRole('button', { name: 'Add to cart: Merino Crew Sweater' }).click();
    await page.getByText('Cart (1)').waitFor();
    await page.getByText('Cart (1)').click();
    await page.getByText('1 × Merino Crew Sweater ($128.00)').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('looks an order up on the demo order book once it has the number and the email', async () => {
    const { page, dialog, ask } = await openChat();
    await ask('Where is my order?');
    await dialog.getByText('What is your order number and the email address you ordered with?').waitFor();
    await ask('LF-10427, ada@example.com');
    await dialog.getByText('is shipped', { exact: false }).waitFor();
    expect(await dialog.locator('article[data-role="assistant"]').last().textContent()).toContain('Order LF-10427 is shipped');
    await ask('And LF-10512 with ada@example.com?');
    await dialog.getByText('I could not find an order LF-10512 placed with ada@example.com', { exact: false }).waitFor();
    await page.close();
  }, 60_000);
});
