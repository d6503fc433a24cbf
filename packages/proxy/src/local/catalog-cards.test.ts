import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { handlerOptionsFromConfig, resolveConfig } from '../config';
import { createConciergeHandler } from '../handler';
import type { Provider } from '../provider';
import { productCardsFromCatalog } from './catalog-cards';

const KB_DIR = fileURLToPath(new URL('../../fixtures/knowledge-base', import.meta.url));

/** A vendor as the proxy sees one: it cites pages of the store, and sends no cards of its own. */
const vendor: Provider = {
  name: 'vendor',
  async *reply() {
    yield { type: 'delta', text: 'The skillet works on induction.' };
    yield {
      type: 'sources',
      sources: [
        { title: 'Cast Iron Skillet', url: 'https://shop.example/products/cast-iron-skillet/' },
        { title: 'Returns', url: '/policies/returns' },
        { title: 'Skillet again', url: '/products/cast-iron-skillet' },
      ],
    };
    yield { type: 'done' };
  },
};

describe('product cards for vendors', () => {
  it('turns the sources that are product pages of the catalog into cards, once each', async () => {
    const cards = await productCardsFromCatalog(KB_DIR)([
      { title: 'Skillet', url: 'https://shop.example/products/cast-iron-skillet?ref=chat' },
      { title: 'Returns', url: '/policies/returns' },
      { title: 'No link' },
    ]);
    expect(cards).toEqual([{ id: 'cast-iron-skillet', name: 'Cast Iron Skillet', url: '/products/cast-iron-skillet', price: 95, currency: 'USD', reason: 'A pre-seasoned 26 cm skillet.' }]);
    expect(await productCardsFromCatalog('/no/such/folder')([{ title: 'Skillet', url: '/products/cast-iron-skillet' }])).toEqual([]);
  });

  it('sends them as a products event and keeps them with the reply', async () => {
    const handler = createConciergeHandler({ provider: vendor, productCards: productCardsFromCatalog(KB_DIR), rateLimit: false });
    const response = await handler(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Induction?', stream: false }),
      }),
    );
    const reply = (await response.json()) as { products: { id: string }[] };
    expect(reply.products.map((product) => product.id)).toEqual(['cast-iron-skillet']);
  });

  it('is set up for every vendor from CONCIERGE_KB_DIR', () => {
    const config = resolveConfig({ CONCIERGE_PROVIDER: 'alhena', ALHENA_API_KEY: 'k', CONCIERGE_KB_DIR: KB_DIR });
    const options = handlerOptionsFromConfig(config, { log: () => {} });
    expect(typeof options.productCards).toBe('function');
    expect(handlerOptionsFromConfig(resolveConfig({ CONCIERGE_KB_DIR: KB_DIR }), { log: () => {} }).productCards).toBeUndefined();
  });
});
