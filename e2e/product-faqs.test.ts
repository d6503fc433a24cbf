import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStorefront } from './storefront-server';

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

describe('product FAQs on the storefront', () => {
  it('shows a skeleton, then the FAQs; an answer opens; "Ask a follow-up" continues in the chat', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    await page.goto(`${storefront.origin}/products/waxed-canvas-field-jacket`);
    const faqs = page.getByRole('region', { name: 'Questions shoppers ask' });
    // First view of this product: the FAQs are still being generated.
    await faqs.getByRole('status', { name: 'Loading questions about this product…' }).waitFor();
    const care = faqs.getByRole('button', { name: 'How do I care for the Waxed Canvas Field Jacket?' });
    await care.waitFor();
    expect(await faqs.getByRole('status').count()).toBe(0);
    expect(await care.getAttribute('aria-expanded')).toBe('false');

    await care.click();
    expect(await care.getAttribute('aria-expanded')).toBe('true');
    const answer = page.getByRole('region', { name: 'How do I care for the Waxed Canvas Field Jacket?' });
    await answer.getByText('Re-wax once a year', { exact: false }).waitFor();

    await answer.getByRole('button', { name: 'Ask a follow-up' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    const log = dialog.getByRole('log');
    await log.getByText('How do I care for the Waxed Canvas Field Jacket?').waitFor();
    await log.locator('article[data-role="assistant"]').getByText('Re-wax once a year', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    const { threadId, threadToken } = await page.evaluate(() => JSON.parse(localStorage.getItem('concierge:thread')!) as { threadId: string; threadToken: string });

    const input = dialog.getByRole('textbox', { name: 'Message' });
    await input.fill('What is your warranty on outerwear?');
    await input.press('Enter');
    await log.getByText('covered for life', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('concierge:thread')!).threadId)).toBe(threadId);
    const history = (await (await fetch(`${storefront.origin}/api/concierge/threads/${threadId}`, { headers: { 'concierge-thread-token': threadToken } })).json()) as {
      messages: { role: string; text: string }[];
    };
    expect(history.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(history.messages[0]!.text).toBe('How do I care for the Waxed Canvas Field Jacket?');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('server-renders ready FAQs with FAQPage JSON-LD for search engines', async () => {
    const url = `${storefront.origin}/products/stoneware-mug-set`;
    // The first view starts generation; the HTML of a later view carries the FAQs.
    const first = await (await fetch(url)).text();
    expect(first).not.toContain('application/ld+json');
    let html = '';
    for (let attempt = 0; attempt < 20 && !html.includes('application/ld+json'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      html = await (await fetch(url)).text();
    }
    const json = /<script type="application\/ld\+json">(.*?)<\/script>/.exec(html)?.[1];
    expect(json).toBeDefined();
    const data = JSON.parse(json!) as { '@type': string; mainEntity: { name: string; acceptedAnswer: { text: string } }[] };
    expect(data['@type']).toBe('FAQPage');
    const dishwasher = data.mainEntity.find((entry) => entry.name === 'How do I care for the Stoneware Mug Set of Four?');
    expect(dishwasher?.acceptedAnswer.text).toContain('Dishwasher and microwave safe');
    // The questions and answers are in the HTML itself, not only in the JSON-LD.
    expect(html).toContain('How do I care for the Stoneware Mug Set of Four?');
    expect(html).toContain('aria-expanded="false"');
  });
});
