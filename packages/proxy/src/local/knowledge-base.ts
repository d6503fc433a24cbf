import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** A searchable section of a page or a product. */
export interface Passage {
  id: string;
  /** Title of the page or product the passage belongs to. */
  title: string;
  /** Heading of the section inside the page, if any. */
  heading: string;
  /** Markdown text of the section. */
  text: string;
  /** Where the page or product is on the store's site; a page without one is not linked. */
  url?: string;
  /** The file the passage comes from (one page may give several passages). */
  file: string;
  kind: 'page' | 'product';
  /** The catalog entry, for product passages. */
  product?: Product;
}

/** A product of the catalog (`*.json` files holding an array of these). */
export interface Product {
  slug: string;
  name: string;
  description: string;
  price: number;
  currency?: string;
  category?: string;
  url?: string;
  materials?: string[];
  sizes?: string[];
  colors?: string[];
  care?: string;
  fit?: string;
  compatibility?: string;
  dimensions?: string;
  weight?: string;
  /** A picture of the product (http, https or a site-relative path), for its card. */
  image?: string;
  imageAlt?: string;
  /** `in_stock`, `out_of_stock` or `preorder`; or `inStock` as a boolean. */
  availability?: string;
  inStock?: boolean;
  [attribute: string]: unknown;
}

export interface KnowledgeBase {
  passages: Passage[];
  /** The page whose file is named `contact.md`, used when no answer is found. */
  contact?: Passage;
}

export interface KnowledgeBaseOptions {
  /**
   * Links pages without `url:` front matter under this base, by their path in the folder
   * (`https://shop.example/help` + `shipping.md` → `https://shop.example/help/shipping`;
   * `CONCIERGE_PAGES_BASE_URL`). @default none: such pages are cited without a link
   */
  pagesBaseUrl?: string;
  /** Told once which pages have no URL. @default console.warn */
  warn?: (message: string) => void;
}

/**
 * Reads a folder of Markdown pages and JSON product catalogs into passages.
 * A page's title comes from `title:` front matter or its first `#` heading; its URL from
 * `url:` front matter, or its path under `pagesBaseUrl`, or none (never a guessed link that
 * may not exist on the site). Each `##` section becomes its own passage.
 */
export async function loadKnowledgeBase(dir: string, options: KnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const passages: Passage[] = [];
  const unlinked: string[] = [];
  let contact: Passage | undefined;
  for (const file of files) {
    const path = relative(dir, file).split(sep).join('/');
    if (path.endsWith('.md')) {
      const sections = pagePassages(path, await readFile(file, 'utf8'), options.pagesBaseUrl);
      if (sections[0] && !sections[0].url) unlinked.push(path);
      passages.push(...sections);
      if (/(^|\/)contact\.md$/.test(path)) contact = sections[0];
    } else if (path.endsWith('.json')) {
      const catalog: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (!Array.isArray(catalog)) throw new Error(`${path} must hold an array of products.`);
      passages.push(...catalog.map((product: Product) => productPassage(path, product)));
    }
  }
  if (unlinked.length) {
    (options.warn ?? console.warn)(
      `[concierge] ${unlinked.length} page(s) of ${dir} have no url: front matter and are cited without a link: ` +
        `${unlinked.join(', ')}. Add url: to each, or set CONCIERGE_PAGES_BASE_URL (pagesBaseUrl) to link them by their path.`,
    );
  }
  return { passages, contact };
}

/** Markdown for a page or product: a link when it has a URL, its bold title when not. */
export function linkTo(title: string, url: string | undefined): string {
  return url ? `[${title}](${url})` : `**${title}**`;
}

function pagePassages(path: string, source: string, base: string | undefined): Passage[] {
  const { attributes, body } = frontMatter(source);
  const title = attributes.title ?? /^#\s+(.+)$/m.exec(body)?.[1]?.trim() ?? path.replace(/\.md$/, '');
  const route = path.replace(/(^|\/)index\.md$/, '').replace(/\.md$/, '');
  const url = attributes.url || (base ? `${base.replace(/\/+$/, '')}/${route}`.replace(/\/$/, '') || '/' : undefined);
  const sections = body.replace(/^#\s+.+$/m, '').split(/^(?=##\s)/m);
  return sections
    .map((section, index) => {
      const heading = /^##\s+(.+)$/m.exec(section)?.[1]?.trim() ?? '';
      const text = section.replace(/^##\s+.+$/m, '').trim();
      return { id: `${path}#${index}`, file: path, title, heading, text, ...(url ? { url } : {}), kind: 'page' as const };
    })
    .filter((passage) => passage.text);
}

/** Fields with their own line (or none) in a product's passage. */
const PRODUCT_FIELDS = new Set(['slug', 'name', 'description', 'price', 'currency', 'category', 'url', 'image', 'imageAlt', 'availability', 'inStock', 'materials', 'sizes', 'colors', 'dimensions', 'weight', 'fit', 'compatibility', 'care']);

function productPassage(path: string, product: Product): Passage {
  if (typeof product?.slug !== 'string' || typeof product.name !== 'string') {
    throw new Error(`${path}: every product needs a "slug" and a "name".`);
  }
  // A catalog's gaps are not errors: no description reads as none, no price as "no price listed".
  product.description = typeof product.description === 'string' ? product.description : '';
  const price = new Intl.NumberFormat('en', { style: 'currency', currency: product.currency ?? 'USD' });
  const lines = [
    product.description,
    Number.isFinite(product.price) && `- **Price:** ${price.format(product.price)}`,
    product.materials?.length && `- **Materials:** ${product.materials.join(', ')}`,
    product.sizes?.length && `- **Sizes:** ${product.sizes.join(', ')}`,
    product.colors?.length && `- **Colors:** ${product.colors.join(', ')}`,
    product.dimensions && `- **Dimensions:** ${product.dimensions}`,
    product.weight && `- **Weight:** ${product.weight}`,
    product.fit && `- **Fit:** ${product.fit}`,
    product.compatibility && `- **Compatibility:** ${product.compatibility}`,
    product.care && `- **Care:** ${product.care}`,
    // Fields of the store's own ("warranty", "batteryLife"…), searchable too.
    ...Object.entries(product)
      .filter(([field, value]) => !PRODUCT_FIELDS.has(field) && (typeof value === 'string' || typeof value === 'number'))
      .map(([field, value]) => `- **${field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').replace(/^./, (first) => first.toUpperCase())}:** ${value}`),
  ];
  return {
    id: `${path}#${product.slug}`,
    file: path,
    title: product.name,
    heading: product.category ?? '',
    text: lines.filter(Boolean).join('\n'),
    url: product.url ?? `/products/${product.slug}`,
    kind: 'product',
    product,
  };
}

/** Reads simple `key: value` front matter between `---` lines. */
function frontMatter(source: string): { attributes: Record<string, string>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  if (!match) return { attributes: {}, body: source };
  const attributes: Record<string, string> = {};
  for (const line of match[1]!.split(/\r?\n/)) {
    const pair = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (pair) attributes[pair[1]!] = pair[2]!.replace(/^["']|["']$/g, '').trim();
  }
  return { attributes, body: source.slice(match[0].length) };
}
