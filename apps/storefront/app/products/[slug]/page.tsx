import { faqJsonLd, ProductFaqs } from '@concierge/ui/faq';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { formatPrice, getProduct } from '../../../lib/catalog';
import { pageUrlOf, prefetchProductFaqs } from '../../../lib/product-faqs';
import { ProductArt } from '../../product-art';
import { AskAboutProduct, ProductNudge } from './nudge';

interface Props {
  params: Promise<{ slug: string }>;
}

/** Rendered per request, so the FAQs (and their JSON-LD) appear as soon as they are ready. */
export const dynamic = 'force-dynamic';

const FAQ_COUNT = 6;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const product = getProduct((await params).slug);
  return product ? { title: product.name, description: product.description } : {};
}

export default async function ProductPage({ params }: Props) {
  const { slug } = await params;
  const product = getProduct(slug);
  if (!product) notFound();
  const pageUrl = await pageUrlOf(`/products/${slug}`);
  const faqs = await prefetchProductFaqs(pageUrl, FAQ_COUNT);
  const jsonLd = faqs?.status === 'ready' ? faqJsonLd(faqs.faqs) : null;
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
      <ProductNudge slug={slug} name={product.name} />
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
        <AskAboutProduct name={product.name} />
      </div>
      <div className="product-faqs">
        <ProductFaqs endpoint="/api/concierge" pageUrl={pageUrl} count={FAQ_COUNT} initialData={faqs} />
      </div>
      {jsonLd && (
        <script
          type="application/ld+json"
          // JSON, not code; "<" is escaped so no text can close the script element.
          dangerouslySetInnerHTML={{ __html: JSON.stringify(jsonLd).replace(/</g, '\\u003c') }}
        />
      )}
    </article>
  );
}
