'use client';
import { useSyncExternalStore } from 'react';
import { cart } from '../lib/cart';

/** The header's cart: what "Add to cart" in the chat put there. */
export function MiniCart() {
  const lines = useSyncExternalStore(cart.subscribe, cart.lines, cart.serverLines);
  const count = lines.reduce((total, line) => total + line.quantity, 0);
  return (
    <details className="mini-cart">
      <summary aria-label={`Cart, ${count} ${count === 1 ? 'item' : 'items'}`}>Cart ({count})</summary>
      {lines.length ? (
        <ul>
          {lines.map((line) => (
            <li key={line.id}>
              {line.quantity} × {line.name}
              {line.price !== undefined && ` (${new Intl.NumberFormat('en', { style: 'currency', currency: line.currency ?? 'USD' }).format(line.price)})`}
            </li>
          ))}
        </ul>
      ) : (
        <p>Your cart is empty.</p>
      )}
    </details>
  );
}
