import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Product } from '@concierge/proxy';

const contentDir = join(process.cwd(), 'content');

export function getProducts(): Product[] {
  return JSON.parse(readFileSync(join(contentDir, 'products.json'), 'utf8')) as Product[];
}

export function getProduct(slug: string): Product | undefined {
  return getProducts().find((product) => product.slug === slug);
}

export interface Policy {
  slug: string;
  title: string;
  body: string;
}

export function getPolicies(): Policy[] {
  return readdirSync(join(contentDir, 'policies'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => {
      const source = readFileSync(join(contentDir, 'policies', file), 'utf8');
      const body = source.replace(/^---[\s\S]*?---\s*/, '').replace(/^#\s+.+\n/, '');
      const title = /^title:\s*(.+)$/m.exec(source)?.[1] ?? file;
      return { slug: file.replace(/\.md$/, ''), title, body };
    });
}

export function formatPrice(product: Product): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: product.currency ?? 'USD' }).format(product.price);
}
