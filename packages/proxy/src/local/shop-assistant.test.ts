import type { ThreadMessage } from '@concierge/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProviderEvent } from '../provider';
import { createLocalProvider } from './local-provider';

// The local provider with its shop assistant, on two different stores: the demo clothing and
// homeware store, and a bike shop whose catalog has fields the demo's does not.

const DEMO = fileURLToPath(new URL('../../../../apps/storefront/content', import.meta.url));
const BIKES = fileURLToPath(new URL('../../fixtures/bike-shop', import.meta.url));

async function ask(dir: string, message: string, history: ThreadMessage[] = []) {
  const provider = await createLocalProvider({ dir, chunkDelayMs: 0, warn: () => {} });
  const events: ProviderEvent[] = [];
  for await (const event of provider.reply({ message, threadId: 't', history, signal: new AbortController().signal })) events.push(event);
  const products = events.find((event) => event.type === 'products');
  const sources = events.find((event) => event.type === 'sources');
  return {
    text: events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join(''),
    products: products?.type === 'products' ? products.products : [],
    sources: sources?.type === 'sources' ? sources.sources : [],
  };
}

const turn = (role: 'user' | 'assistant', text: string, extra: Partial<ThreadMessage> = {}): ThreadMessage => ({ id: `${role}-${text}`, role, text, createdAt: '', ...extra });

describe('on the demo store', () => {
  it('recommends from a need in words, with the product as a card and its reason', async () => {
    const answer = await ask(DEMO, 'I want a warm sweater for winter hiking, what do you recommend?');
    expect(answer.products[0]).toMatchObject({ id: 'merino-crew-sweater', price: 128, currency: 'USD' });
    expect(answer.products[0]!.reason).toMatch(/^A midweight crew-neck sweater knitted from extra-fine 18\.5-micron merino wool\.$/);
    expect(answer.text).toContain('[Merino Crew Sweater](/products/merino-crew-sweater) ($128.00)');
  });

  it('filters by price: everything cheaper than $50, and nothing that is not', async () => {
    const answer = await ask(DEMO, "what's cheaper than 50 dollars?");
    expect(answer.products.map((product) => product.id).sort()).toEqual(['organic-cotton-tee', 'ribbed-wool-beanie']);
    expect(answer.products.every((product) => product.price! < 50)).toBe(true);
  });

  it('filters by category and price together', async () => {
    const answer = await ask(DEMO, 'bags under 100 dollars');
    expect(answer.products.map((product) => product.id)).toEqual(['canvas-market-tote']);
  });

  it('filters by material: everything in linen, or in leather', async () => {
    expect((await ask(DEMO, 'anything in linen?')).products.map((product) => product.id)).toEqual(['linen-camp-shirt']);
    // The tote has leather handles: the catalog says so, so it counts.
    const leather = await ask(DEMO, 'what do you have in leather under 100 dollars?');
    expect(leather.products.map((product) => product.id).sort()).toEqual(['canvas-market-tote', 'full-grain-leather-belt']);
  });

  it('answers a need ("keeps me dry in the rain") with the products that meet it', async () => {
    const ids = (await ask(DEMO, 'something that keeps me dry in the rain')).products.map((product) => product.id);
    expect(ids[0]).toBe('waxed-canvas-field-jacket');
  });

  it('says "we don\'t sell" only when nothing in the catalog or the pages mentions it', async () => {
    // The catalog mentions laptops (a backpack's sleeve): not sure, never a "no".
    const laptops = await ask(DEMO, 'Do you sell laptops?');
    expect(laptops.text).toMatch(/^I'm not sure about that/);
    expect(laptops.text).toContain('Waterproof Roll-Top Backpack 28 L');
    expect(laptops.products).toEqual([]);
    const motorcycles = await ask(DEMO, 'Do you sell motorcycles?');
    expect(motorcycles.text).toBe("No, we don't sell motorcycles.");
    expect(motorcycles.products).toEqual([]);
    const backpacks = await ask(DEMO, 'Do you sell backpacks?');
    expect(backpacks.text).toMatch(/^Yes, we do\./);
    expect(backpacks.products.map((product) => product.id)).toEqual(['rolltop-backpack']);
  });

  it('answers a product attribute precisely, with the product as source and card', async () => {
    const wash = await ask(DEMO, 'How do I wash the merino sweater?');
    expect(wash.text).toBe(
      'Care of the **Merino Crew Sweater**: Hand wash cold or machine wash on the wool cycle at 30 °C; dry flat in shade; do not tumble dry. Store folded, not on a hanger.',
    );
    expect(wash.sources).toEqual([{ title: 'Merino Crew Sweater', url: '/products/merino-crew-sweater' }]);
    expect(wash.products.map((product) => product.id)).toEqual(['merino-crew-sweater']);
    expect((await ask(DEMO, 'How much is the cast iron skillet?')).text).toBe('The **Cast Iron Skillet 26 cm** costs $95.00.');
    expect((await ask(DEMO, 'What sizes does the linen shirt come in?')).text).toBe('Sizes of the **Linen Camp Shirt**: S, M, L and XL');
  });

  it('resolves vague follow-ups against the product of the previous turns', async () => {
    const history = [turn('user', 'Tell me about the merino sweater'), turn('assistant', '…', { products: [{ id: 'merino-crew-sweater', name: 'Merino Crew Sweater' }] })];
    expect((await ask(DEMO, 'how much is it?', history)).text).toBe('The **Merino Crew Sweater** costs $128.00.');
    expect((await ask(DEMO, 'and in navy?', history)).text).toMatch(/^Yes: the \*\*Merino Crew Sweater\*\* comes in Navy\./);
    expect((await ask(DEMO, 'and in olive?', history)).text).toMatch(/^No, the \*\*Merino Crew Sweater\*\* does not come in Olive\. It comes in Charcoal, Oatmeal, Forest and Navy\./);
  });

  it('answers greetings, thanks and goodbyes briefly, not with "I don\'t know"', async () => {
    for (const message of ['hi', 'Hello!', 'Thanks!', 'thank you so much', 'bye', 'Goodbye']) {
      const answer = await ask(DEMO, message);
      expect(answer.text, message).not.toMatch(/don't know/);
      expect(answer.text.length, message).toBeLessThan(120);
      expect(answer.products, message).toEqual([]);
    }
  });

  it('sends "my order has not arrived" to the order-tracking page', async () => {
    const answer = await ask(DEMO, "My order hasn't arrived, it's been 2 weeks");
    expect(answer.sources[0]?.url).toBe('/policies/order-tracking');
  });

  it('never names a product or a price the catalog does not have', async () => {
    const catalog = (await import('../../../../apps/storefront/content/products.json', { with: { type: 'json' } })).default as { slug: string; price: number }[];
    const prices = new Set(catalog.map((product) => product.price));
    for (const question of ['a gift for a 3 year old', 'cheapest thing you have', 'anything in red?', 'shoes over 100 dollars', 'Do you sell gift cards?']) {
      const answer = await ask(DEMO, question);
      for (const product of answer.products) {
        expect(catalog.map((entry) => entry.slug), question).toContain(product.id);
        expect(prices.has(product.price!), question).toBe(true);
      }
      for (const [, amount] of answer.text.matchAll(/\$(\d+(?:\.\d+)?)/g)) expect(prices.has(Number(amount)), `${question}: $${amount}`).toBe(true);
    }
  });
});

describe('on a different store (a bike shop with fields of its own)', () => {
  it('answers any field a catalog entry has, in the currency of the catalog', async () => {
    expect((await ask(BIKES, 'What is the warranty on the Harbor City 7?')).text).toBe('Warranty of the **Harbor City 7**: Lifetime on the frame, two years on parts.');
    expect((await ask(BIKES, 'What frame material is the gravel bike?')).text).toBe('Frame material of the **Ridge Gravel 2**: Chromoly steel');
    expect((await ask(BIKES, 'How heavy is the U-lock?')).text).toBe('Weight of the **Pro U-Lock**: 1.4 kg');
    expect((await ask(BIKES, 'How much is the Harbor City 7?')).text).toBe('The **Harbor City 7** costs €690.00.');
  });

  it('recommends for a need with filters, and marks what is out of stock', async () => {
    const rain = await ask(BIKES, 'I need something to keep me dry in heavy rain');
    expect(rain.products[0]).toMatchObject({ id: 'storm-shell-jacket', currency: 'EUR' });
    const bikes = await ask(BIKES, 'bikes under 1000 euros');
    expect(bikes.products.map((product) => product.id)).toEqual(['harbor-city-7']);
    expect(bikes.products[0]!.availability).toBe('in_stock');
    expect((await ask(BIKES, 'Do you sell the Ridge Gravel 2?')).products[0]).toMatchObject({ id: 'ridge-gravel-2', availability: 'out_of_stock' });
  });

  it('says it does not sell what is not in the catalog', async () => {
    expect((await ask(BIKES, 'Do you sell scooters?')).text).toBe("No, we don't sell scooters.");
  });
});
