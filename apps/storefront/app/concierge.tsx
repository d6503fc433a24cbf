'use client';
import { ConciergeWidget } from '@concierge/ui';
import { cart } from '../lib/cart';

/** The widget with the store's cart behind "Add to cart" (a function prop, so a client component). */
export function Concierge() {
  return (
    <ConciergeWidget
      endpoint="/api/concierge"
      strings={{ title: 'Larkfield help' }}
      greeting="Hi! I can answer questions about our products, shipping, returns and more."
      onAddToCart={(product) => cart.add(product)}
      // Product pages offer their FAQs instead.
      starters={['Do you ship internationally?', 'How do returns work?', 'Where is my order?']}
      // The proxy passes requests to the support inbox (lib/support-inbox.ts).
      handoff
    />
  );
}
