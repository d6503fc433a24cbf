import { createMockTransport, type ProductCard } from '@concierge/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ConciergeWidget } from './concierge-widget';
import { AddToCartContext, ProductCards } from './product-cards';
import { defaultStrings } from './strings';

const SWEATER: ProductCard = {
  id: 'merino',
  name: 'Merino Crew Sweater',
  url: '/products/merino',
  image: '/img/merino.jpg',
  imageAlt: 'Green merino sweater',
  price: 128,
  currency: 'USD',
  availability: 'in_stock',
  reason: 'Warm without bulk.',
};

describe('ProductCards', () => {
  it('shows each product as a card: picture with alt text, name linking to it, price in the locale and currency, availability, reason', () => {
    render(<ProductCards products={[SWEATER, { id: 'socks', name: 'Wool Socks', price: 24.5, currency: 'EUR' }]} strings={{ ...defaultStrings, locale: 'fr-FR' }} />);
    const list = screen.getByRole('list', { name: 'Products' });
    const [first, second] = within(list).getAllByRole('listitem');
    expect(within(first!).getByRole('img', { name: 'Green merino sweater' }).getAttribute('src')).toBe('/img/merino.jpg');
    expect(within(first!).getByRole('link', { name: 'Merino Crew Sweater' }).getAttribute('href')).toBe('/products/merino');
    expect(first!.textContent).toContain(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'USD' }).format(128));
    expect(first!.textContent).toContain('In stock');
    expect(first!.textContent).toContain('Warm without bulk.');
    // No picture, no link: the name alone; the price in euros.
    expect(within(second!).queryByRole('img')).toBeNull();
    expect(within(second!).queryByRole('link')).toBeNull();
    expect(second!.textContent).toContain(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(24.5));
    // Without onAddToCart there is no button.
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('hides a picture that does not load, so the card reads as one without a picture', () => {
    render(<ProductCards products={[SWEATER]} strings={defaultStrings} />);
    const picture = screen.getByRole('img', { name: 'Green merino sweater' });
    fireEvent.error(picture);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByRole('link', { name: 'Merino Crew Sweater' })).toBeTruthy();
  });

  it('never links or loads an unsafe URL from a reply', () => {
    render(<ProductCards products={[{ id: 'x', name: 'Trap', url: 'javascript:alert(1)', image: 'data:image/svg+xml,<svg/>' }]} strings={defaultStrings} />);
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('offers Add to cart, named after the product, and turns it off when the product is out of stock', async () => {
    const user = userEvent.setup();
    const onAddToCart = vi.fn();
    render(
      <AddToCartContext.Provider value={onAddToCart}>
        <ProductCards products={[SWEATER, { ...SWEATER, id: 'gone', name: 'Sold Out Scarf', availability: 'out_of_stock' }]} strings={defaultStrings} />
      </AddToCartContext.Provider>,
    );
    await user.click(screen.getByRole('button', { name: 'Add to cart: Merino Crew Sweater' }));
    expect(onAddToCart).toHaveBeenCalledWith(SWEATER);
    expect((screen.getByRole('button', { name: 'Add to cart: Sold Out Scarf' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Out of stock')).toBeTruthy();
  });

  it('comes with a reply in the widget, and onAddToCart on the widget reaches its button', async () => {
    const user = userEvent.setup();
    const onAddToCart = vi.fn();
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0, reply: 'This one is warm.', products: [SWEATER] })} storage={null} onAddToCart={onAddToCart} />);
    await user.click(screen.getByRole('button', { name: 'Open chat' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'A warm sweater?{Enter}');
    await user.click(await within(dialog).findByRole('button', { name: 'Add to cart: Merino Crew Sweater' }));
    expect(onAddToCart).toHaveBeenCalledWith(SWEATER);
  });
});
