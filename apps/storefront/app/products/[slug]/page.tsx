import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { formatPrice, getProduct, getProducts } from '../../../lib/catalog';
import { ProductArt } from '../../product-art';

interface Props {
  params: Promise<{ slug: string }>;
}

export function generateStaticParams() {
  return getProducts().map((product) => ({ slug: product.slug }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const product = getProduct((await params).slug);
  return product ? { title: product.name, description: product.description } : {};
}

export default async function ProductPage({ params }: Props) {
  const product = getProduct((await params).slug);
  if (!product) notFound();
  const details: [string, string | undefined][] = [
    ['Materials', product.materials?.join('; ')],
    ['Sizes', product.sizes?.join(', ')],
    ['Colours', product.colors?.join(', ')],
    ['Fit', product.fit],
    ['Dimensions', product.dimensions],
    ['Weight', product.weight],
    ['Compatibility', product.compatibility],
    ['Care', product.care],
  ];
  return (
    <article className="product-page">
      <ProductArt product={product} />
      <div>
        <p className="product-category">{product.category}</p>
        <h1>{product.name}</h1>
        <p className="product-price">{formatPrice(product)}</p>
        <p>{product.description}</p>
        <dl className="product-details">
          {details
            .filter((entry): entry is [string, string] => Boolean(entry[1]))
            .map(([term, value]) => (
              <div key={term}>
                <dt>{term}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
        <button type="button" className="add-to-cart" disabled>
          Add to cart (demo)
        </button>
      </div>
    </article>
  );
}
