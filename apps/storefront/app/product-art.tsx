import type { Product } from '@concierge/proxy';

const PALETTE = ['#c9b79c', '#8fa89a', '#b5838d', '#6d7f99', '#d4a373', '#7f8c6d'];

/** The product's picture (served from public/), or a drawn placeholder when it has none. */
export function ProductArt({ product }: { product: Product }) {
  // Lazy: a grid of pictures is not preloaded ahead of what the page needs first.
  if (product.image) return <img className="product-art" src={product.image} alt={product.imageAlt ?? product.name} width={160} height={160} loading="lazy" decoding="async" />;
  const index = [...product.slug].reduce((sum, character) => sum + character.charCodeAt(0), 0) % PALETTE.length;
  const initials = product.name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word[0])
    .join('');
  return (
    <svg className="product-art" viewBox="0 0 300 220" role="img" aria-label={product.name}>
      <rect width="300" height="220" fill={PALETTE[index]} />
      <circle cx="150" cy="110" r="62" fill="rgb(255 255 255 / 0.35)" />
      <text x="150" y="126" textAnchor="middle" fontSize="44" fontFamily="Georgia, serif" fill="#1c1f1d">
        {initials}
      </text>
    </svg>
  );
}
