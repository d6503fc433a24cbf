import type { ProductCard, Source } from '@concierge/core';
import { loadKnowledgeBase } from './knowledge-base';
import { cardOf } from './product-text';

/** Turns a reply's sources into product cards: those that point to a product page of the catalog. */
export type ProductCardsFor = (sources: Source[]) => Promise<ProductCard[]>;

/**
 * Product cards for vendors' replies: a source whose URL is the page of a product in the store's
 * catalog (the JSON files of `dir`) becomes that product's card. The folder is read once, on
 * first use; without a catalog there are no cards.
 *
 * @example
 * createConciergeHandler({ provider: createAlhenaProvider(…), productCards: productCardsFromCatalog('./content') })
 */
export function productCardsFromCatalog(dir: string): ProductCardsFor {
  let byPath: Promise<Map<string, ProductCard>> | undefined;
  const load = () =>
    (byPath ??= loadKnowledgeBase(dir, { warn: () => {} }).then(
      (knowledgeBase) =>
        new Map(
          knowledgeBase.passages.flatMap((passage) =>
            passage.product && passage.url ? [[pathOf(passage.url), cardOf(passage.product, passage.url)] as const] : [],
          ),
        ),
      () => new Map<string, ProductCard>(),
    ));
  return async (sources) => {
    const products = await load();
    const cards = new Map<string, ProductCard>();
    for (const source of sources) {
      const card = source.url ? products.get(pathOf(source.url)) : undefined;
      if (card) cards.set(card.id, card);
    }
    return [...cards.values()];
  };
}

/** A URL's path without a trailing slash: `https://shop.example/products/x/` and `/products/x` are one page. */
function pathOf(url: string): string {
  try {
    return new URL(url, 'https://store.invalid').pathname.replace(/\/+$/, '') || '/';
  } catch {
    return url;
  }
}
