'use client';
import { ConciergeWidget } from '@concierge/ui';

/** The widget with function props, which a Server Component layout cannot pass itself. */
export function Concierge() {
  return (
    <ConciergeWidget
      endpoint="/api/concierge"
      greeting="Hi! Ask me about our teas, shipping or returns."
      strings={{ title: 'Fernhill help' }}
      // Read when the shopper presses Send.
      context={() => ({ metadata: { cartItems: Number(localStorage.getItem('cart-items') ?? 0) } })}
      fetch={(input, init) => fetch(input, { ...init, credentials: 'include' })}
    />
  );
}
