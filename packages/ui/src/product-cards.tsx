'use client';
import type { ProductCard } from '@concierge/core';
import { createContext, useContext } from 'react';
import { EventsContext } from './events';
import { safeHref } from './safe-url';
import type { ConciergeStrings } from './strings';

/** The storefront's `onAddToCart`, given to the cards of every reply; none: no button. */
export const AddToCartContext = createContext<((product: ProductCard) => void) | undefined>(undefined);

export interface ProductCardsProps {
  products: ProductCard[];
  strings: ConciergeStrings;
}

/** A price in the shopper's language and the product's currency (Intl), e.g. "$128.00" or "128,00 €". */
function formatPrice(price: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(price);
  } catch {
    return `${price} ${currency}`;
  }
}

/**
 * The products a reply is about, as cards: picture, name linking to the product, price,
 * availability, why it fits, and "Add to cart" when the storefront passes `onAddToCart`.
 * Several cards scroll sideways.
 */
export function ProductCards({ products, strings }: ProductCardsProps) {
  const onAddToCart = useContext(AddToCartContext);
  const emit = useContext(EventsContext);
  if (!products.length) return null;
  const availability = { in_stock: strings.inStock, out_of_stock: strings.outOfStock, preorder: strings.preorder };
  return (
    // Focusable, so the row scrolls from the keyboard too.
    <ul className="concierge-products" aria-label={strings.products} tabIndex={0}>
      {products.map((product) => {
        const href = safeHref(product.url);
        const image = safeHref(product.image);
        return (
          <li key={product.id} className="concierge-product" data-availability={product.availability}>
            {image && (
              // A picture that does not load is hidden: the card reads as one without a picture.
              <img src={image} alt={product.imageAlt ?? product.name} width={64} height={64} loading="lazy" onError={(event) => (event.currentTarget.hidden = true)} />
            )}
            <div className="concierge-product-body">
              {href ? (
                <a className="concierge-product-name" href={href} rel="noopener noreferrer" onClick={() => emit({ type: 'product_click', product })}>
                  {product.name}
                </a>
              ) : (
                <span className="concierge-product-name">{product.name}</span>
              )}
              {product.price !== undefined && <span className="concierge-product-price">{formatPrice(product.price, product.currency ?? 'USD', strings.locale)}</span>}
              {product.availability && <span className="concierge-product-availability">{availability[product.availability]}</span>}
              {product.reason && <span className="concierge-product-reason">{product.reason}</span>}
              {onAddToCart && (
                <button
                  type="button"
                  className="concierge-product-add"
                  aria-label={strings.addToCartFor(product.name)}
                  disabled={product.availability === 'out_of_stock'}
                  onClick={() => {
                    onAddToCart(product);
                    emit({ type: 'add_to_cart', product });
                  }}
                >
                  {strings.addToCart}
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
