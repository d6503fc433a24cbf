import type { ProductCard, Source } from '@concierge/core';
import type { Passage, Product } from './knowledge-base';
import type { Range } from './ranges';

// How the local provider writes about products: its answer type, a product's card, price and lines.

/** An answer of the local provider, with what it rests on. */
export interface ShopAnswer {
  text: string;
  sources: Source[];
  products: ProductCard[];
  confidence: number;
  /** The evidence is too weak to answer: the widget offers a person. */
  offerHandoff?: boolean;
  /** The product the answer is about, kept in the thread's state for the follow-ups. */
  subject?: string;
}

/** A product of the catalog as the shop assistant matches it. */
export interface CatalogProduct {
  product: Product;
  passage: Passage;
  /** The product's name, as terms. */
  terms: string[];
  /** Every term of every field (name, category, description, materials, the store's own fields…). */
  fieldTerms: Set<string>;
  /** The ranges its fields state ("Ages 2 to 5", "for dogs up to 20 kg"). */
  ranges: Range[];
}

/** A catalog entry as a card: only what the catalog says (never a made-up price or picture). */
export function cardOf(product: Product, url: string | undefined, reason?: string): ProductCard {
  const availability =
    typeof product.availability === 'string' && ['in_stock', 'out_of_stock', 'preorder'].includes(product.availability)
      ? (product.availability as ProductCard['availability'])
      : typeof product.inStock === 'boolean'
        ? product.inStock
          ? 'in_stock'
          : 'out_of_stock'
        : undefined;
  const line = reason ?? firstSentence(product.description);
  return {
    id: product.slug,
    name: product.name,
    ...(url ? { url } : {}),
    ...(typeof product.image === 'string' ? { image: product.image } : {}),
    ...(typeof product.imageAlt === 'string' ? { imageAlt: product.imageAlt } : {}),
    ...(Number.isFinite(product.price) ? { price: product.price, currency: product.currency ?? 'USD' } : {}),
    ...(availability ? { availability } : {}),
    ...(line ? { reason: line } : {}),
  };
}

export function reasonFor(product: Product, color: string | undefined): string {
  const first = firstSentence(product.description);
  const shade = color && (product.colors ?? []).find((candidate) => candidate.toLowerCase() === color);
  return shade ? `${first} It comes in ${shade}.` : first;
}

/** Up to the first full stop that ends a sentence ("18.5-micron" does not). */
export function firstSentence(text: string): string {
  return (/^.*?[.!?](?=\s|$)/s.exec(text)?.[0] ?? text).trim();
}

export function priceOf(product: Product): string {
  return Number.isFinite(product.price) ? new Intl.NumberFormat('en', { style: 'currency', currency: product.currency ?? 'USD' }).format(product.price) : 'no price listed';
}

/** A price to sort and filter by: a product without one comes last and meets no price limit. */
export function sortPrice(product: Product): number {
  return Number.isFinite(product.price) ? product.price : Number.POSITIVE_INFINITY;
}

export function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** An answer about catalog products: each one its source and its card (with a line of why, when given). */
export function productAnswer(text: string, items: CatalogProduct[], reasons: (string | undefined)[] = [], confidence = 1): ShopAnswer {
  return {
    text,
    sources: items.map(({ passage }) => ({ title: passage.title, ...(passage.url ? { url: passage.url } : {}) })),
    products: items.map((item, position) => cardOf(item.product, item.passage.url, reasons[position])),
    confidence,
    ...(items.length === 1 ? { subject: items[0]!.product.slug } : {}),
  };
}
