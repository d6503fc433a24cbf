import { readFileSync } from 'node:fs';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStorefront, watchProblems } from './storefront-server';

// Cards with pictures, on the demo store in Chromium: the catalog's image files are served, and
// the chat's product card and the product page show them with the catalog's alt text.

const products = JSON.parse(readFileSync(new URL('../apps/storefront/content/products.json', import.meta.url), 'utf8')) as { slug: string; image: string; imageAlt: string }[];
const SWEATER = products.find((product) => product.slug === 'merino-crew-sweater')!;

let browser: Browser;
let storefront: Awaited<ReturnType<typeof startStorefront>>;

beforeAll(async () => {
  [storefront, browser] = await Promise.all([startStorefront({ CONCIERGE_LOCAL_CHUNK_DELAY_MS: '0' }), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  storefront?.close();
});

/** Waits for the picture to load; its natural width (0 when it failed) and alt text. */
async function loaded(picture: Locator) {
  await picture.scrollIntoViewIfNeeded();
  return picture.evaluate(async (image: HTMLImageElement) => {
    await image.decode().catch(() => {});
    return { naturalWidth: image.naturalWidth, alt: image.alt, hidden: image.hidden };
  });
}

describe('product pictures on the demo store', () => {
  it('serves every catalog image as an SVG', async () => {
    for (const product of products) {
      const response = await fetch(`${storefront.origin}${product.image}`);
      expect(response.status, product.image).toBe(200);
      expect(response.headers.get('content-type'), product.image).toContain('image/svg+xml');
    }
  });

  it('shows the picture, with its alt text, on the product card of a chat answer', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${storefront.origin}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
    await dialog.getByRole('textbox', { name: 'Message' }).fill('How much is the merino sweater?');
    await dialog.getByRole('textbox', { name: 'Message' }).press('Enter');
    const card = dialog.getByRole('list', { name: 'Products' }).getByRole('listitem').filter({ hasText: 'Merino Crew Sweater' });
    await card.waitFor();
    const picture = card.getByRole('img', { name: SWEATER.imageAlt });
    expect(await picture.getAttribute('src')).toBe(SWEATER.image);
    const shown = await loaded(picture);
    expect(shown.naturalWidth).toBeGreaterThan(0);
    expect(shown.alt).toBe(SWEATER.imageAlt);
    expect(shown.hidden).toBe(false);
    // Its own 64 px square beside the text, not stretched to the card's height.
    expect(await picture.boundingBox()).toMatchObject({ width: 64, height: 64 });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the picture, with its alt text, on the product page', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${storefront.origin}/products/${SWEATER.slug}`);
    const picture = page.locator('.product-page').getByRole('img', { name: SWEATER.imageAlt });
    expect(await picture.getAttribute('src')).toBe(SWEATER.image);
    expect((await loaded(picture)).naturalWidth).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
