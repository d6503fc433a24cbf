import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStorefront, watchProblems } from './storefront-server';

declare global {
  interface Window {
    dataLayer?: Record<string, unknown>[];
  }
}

// What a storefront expects of its support widget, on the demo store in Chromium, through the real
// Next route: a nudge on a product page, starters and follow-ups, feedback and a handoff that reach
// the store's signed webhook (a loopback server here) and its support inbox.

const SECRET = `whsec_${Buffer.from('the demo store webhook secret!!!').toString('base64')}`;

interface Delivery {
  type: string;
  data: Record<string, unknown>;
}

let browser: Browser;
let storefront: Awaited<ReturnType<typeof startStorefront>>;
let endpoint: Server;
const deliveries: Delivery[] = [];

beforeAll(async () => {
  endpoint = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      try {
        // Only a correctly signed event is kept.
        deliveries.push(new Webhook(SECRET).verify(body, request.headers as Record<string, string>) as Delivery);
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/concierge-events`;
  [storefront, browser] = await Promise.all([
    startStorefront({ CONCIERGE_LOCAL_CHUNK_DELAY_MS: '0', CONCIERGE_WEBHOOK_URL: url, CONCIERGE_WEBHOOK_SECRET: SECRET }),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  storefront?.close();
  endpoint?.close();
});

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the demo store’s support features', () => {
  it('nudges after 20 seconds on a product page; the nudge opens the chat, whose starters are the product’s FAQs', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.clock.install();
    await page.goto(`${storefront.origin}/products/merino-crew-sweater`);
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await page.clock.fastForward(19_000);
    expect(await page.locator('.concierge-nudge').count()).toBe(0);
    await page.clock.fastForward(1_500);
    const nudge = page.getByRole('button', { name: /Questions about the Merino Crew Sweater\?/ });
    await nudge.click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    await dialog.getByText('Questions about the Merino Crew Sweater? I can help with sizing, care and delivery.').waitFor();
    const starters = dialog.getByRole('group', { name: 'Suggested questions' });
    const first = starters.getByRole('button').first();
    await first.waitFor();
    const question = await first.textContent();
    // The page's own FAQs, not the store-wide starters.
    expect(await starters.getByRole('button', { name: 'Where is my order?' }).count()).toBe(0);
    await first.click();
    await dialog.getByRole('article', { name: 'You' }).filter({ hasText: question! }).waitFor();
    await dialog.locator('.concierge-message[data-role="assistant"] .concierge-feedback').last().waitFor();

    // "Ask about this product" sends from the store's own button, with the product as context.
    // The message shows as soon as it is queued, before its request goes out: wait for the request.
    const sent = page.waitForRequest((request) => request.url().endsWith('/api/concierge/messages') && request.method() === 'POST');
    // The window covers part of the page: the shopper closes it, then asks from the page.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Ask about this product' }).click();
    await dialog.getByRole('article', { name: 'You' }).filter({ hasText: 'Tell me about the Merino Crew Sweater' }).waitFor();
    expect((await sent).postDataJSON()).toMatchObject({ message: 'Tell me about the Merino Crew Sweater', metadata: { product: 'merino-crew-sweater' } });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens from the header’s Help button, and every widget event reaches the page’s analytics queue without secrets', async () => {
    const page = await browser.newPage();
    await page.goto(`${storefront.origin}/policies/shipping`);
    await page.getByRole('button', { name: 'Help', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Canada?');
    await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
    await dialog.getByRole('button', { name: 'Helpful', exact: true }).click();
    await dialog.getByText('Thanks for your feedback.').waitFor();
    await page.keyboard.press('Escape');
    const events = await page.evaluate(() => window.dataLayer ?? []);
    expect(events.map((event) => event.event)).toEqual(['concierge.open', 'concierge.message_sent', 'concierge.reply_finished', 'concierge.feedback', 'concierge.close']);
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('concierge:thread') ?? '{}').threadToken as string);
    expect(token).toBeTruthy();
    expect(JSON.stringify(events)).not.toContain(token);
    await page.close();
  });

  it('offers follow-ups, and a thumbs down with a comment reaches the store once, signed', async () => {
    const page = await browser.newPage();
    await page.goto(`${storefront.origin}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    await dialog.getByRole('group', { name: 'Suggested questions' }).getByRole('button', { name: 'How do returns work?' }).click();
    const followUps = dialog.getByRole('group', { name: 'Suggested questions' });
    await followUps.getByRole('button').first().waitFor();
    const followUp = (await followUps.getByRole('button').first().textContent())!;
    await followUps.getByRole('button').first().click();
    await dialog.getByRole('article', { name: 'You' }).filter({ hasText: followUp }).waitFor();
    const reply = dialog.locator('.concierge-message[data-role="assistant"]').last();
    await reply.locator('.concierge-feedback').waitFor();
    await reply.getByRole('button', { name: 'Not helpful' }).click();
    await reply.getByRole('textbox', { name: 'What went wrong? (optional)' }).fill('I wanted the cost of a return label');
    await reply.getByRole('button', { name: 'Send feedback' }).click();
    await reply.getByText('Thanks for your feedback.').waitFor();

    const withComment = await until(
      () => deliveries.find((delivery) => delivery.type === 'feedback.created' && delivery.data.comment === 'I wanted the cost of a return label'),
      'the feedback event',
    );
    expect(withComment.data).toMatchObject({ rating: 'down', threadId: expect.any(String), messageId: expect.any(String) });
    expect(deliveries.filter((delivery) => delivery.type === 'feedback.created' && delivery.data.messageId === withComment.data.messageId)).toHaveLength(2);
    expect(storefront.output()).toContain('[support] not helpful');
    await page.close();
  });

  it('hands a conversation the assistant could not answer to a person', async () => {
    const page = await browser.newPage();
    await page.goto(`${storefront.origin}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Can you restore my grandfather’s vintage motorbike?');
    await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
    const reply = dialog.locator('.concierge-message[data-role="assistant"]').last();
    await reply.getByRole('button', { name: 'Talk to a person' }).click();
    await dialog.getByRole('textbox', { name: 'Email' }).fill('ana@example.com');
    await dialog.getByRole('textbox', { name: 'Note (optional)' }).fill('It is a 1962 model.');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('status').filter({ hasText: 'ana@example.com within one business day' }).waitFor();
    const handoff = await until(() => deliveries.find((delivery) => delivery.type === 'handoff.requested'), 'the handoff event');
    expect(handoff.data).toMatchObject({ email: 'ana@example.com', note: 'It is a 1962 model.', threadId: expect.any(String) });
    expect((handoff.data.transcript as { role: string }[]).map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(storefront.output()).toContain('[support] a shopper asks for a person');
    await page.close();
  });
});
