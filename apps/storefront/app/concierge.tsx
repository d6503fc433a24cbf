'use client';
import { ConciergeWidget, type ConciergeEvent } from '@concierge/ui';
import { cart } from '../lib/cart';

declare global {
  interface Window {
    dataLayer?: Record<string, unknown>[];
  }
}

/** Every widget event goes to the page's analytics queue, as a tag manager reads it. */
function track(event: ConciergeEvent) {
  const { type, ...details } = event;
  // Product cards travel as their id; no event carries a token, a key or an email.
  const payload = 'product' in details ? { productId: details.product.id } : details;
  (window.dataLayer ??= []).push({ event: `concierge.${type}`, ...payload });
}

/** The widget with the store's cart behind "Add to cart" (a function prop, so a client component). */
export function Concierge() {
  return (
    <ConciergeWidget
      endpoint="/api/concierge"
      strings={{ title: 'Larkfield help' }}
      greeting="Hi! I can answer questions about our products, shipping, returns and more."
      onAddToCart={(product) => cart.add(product)}
      onEvent={track}
      // Product pages offer their FAQs instead.
      starters={['Do you ship internationally?', 'How do returns work?', 'Where is my order?']}
      // The proxy passes requests to the support inbox (lib/support-inbox.ts).
      handoff
    />
  );
}
