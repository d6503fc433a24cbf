import Link from 'next/link';
import { formatPrice, getProducts } from '../lib/catalog';
import { ProductArt } from './product-art';

export default function HomePage() {
  const products = getProducts();
  return (
    <>
      <section className="hero">
        <h1>Made to be worn, used and mended.</h1>
        <p>Clothing and goods in honest materials, free US shipping over $75, and a lifetime repair promise.</p>
      </section>
      <ul className="product-grid" aria-label="Products">
        {products.map((product) => (
          <li key={product.slug}>
            <Link href={`/products/${product.slug}`} className="product-card">
              <ProductArt product={product} />
              <span className="product-name">{product.name}</span>
              <span className="product-price">{formatPrice(product)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
