import { CatalogQueryError, parseCatalogQuery, searchCatalog, type Catalog, type CatalogEntry } from '../local/catalog-search';
import { lookupOrder } from '../local/order-status';
import { cardOf } from '../local/product-text';
import type { OrderLookup } from '../provider';

// The chat-completions tools the OpenAI-compatible provider offers a model: what each is, and
// running a call of it. A call that cannot run comes back to the model as `{ error }` to correct.

/** Tool calls run in one round; further calls of the same round get an error result. */
export const MAX_CALLS_PER_ROUND = 4;
/** Longest arguments of one tool call, in characters; a search or a lookup needs far fewer. */
export const MAX_ARGUMENTS_CHARS = 8_000;
/** Products one `search_products` call hands back to the model. */
const SEARCH_RESULTS = 5;
/** Longest text of one catalog field in a tool result, in characters (a long `care` or `description` is cut). */
const MAX_FIELD_CHARS = 400;
/** Categories and field names listed in the tool's description, at most. */
const MAX_LISTED = 30;
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ToolContext {
  catalog: Catalog;
  orders: OrderLookup | undefined;
  signal: AbortSignal;
  /** Every product `search_products` returned in this reply, by slug, in the order found. */
  found: Map<string, CatalogEntry>;
}

/** Runs one tool call and returns what goes back to the model: the tool's result, or `{ error }` to correct. */
export async function runTool(call: ToolCall, context: ToolContext): Promise<unknown> {
  const available = [...(context.catalog.entries.length ? ['search_products'] : []), ...(context.orders ? ['lookup_order'] : [])];
  if (!available.includes(call.name)) return { error: `Unknown tool "${call.name}". Available: ${available.join(', ')}.` };
  if (call.arguments.length > MAX_ARGUMENTS_CHARS) return { error: `The arguments are longer than ${MAX_ARGUMENTS_CHARS} characters.` };
  let input: unknown;
  try {
    // Some servers send no arguments at all for a call without any.
    input = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    return { error: 'The arguments are not valid JSON. Send one JSON object, e.g. {"words":"rain jacket","maxPrice":150}.' };
  }
  if (call.name === 'lookup_order') {
    const { orderNumber, email } = (typeof input === 'object' && input !== null ? input : {}) as { orderNumber?: unknown; email?: unknown };
    if (typeof orderNumber !== 'string' || typeof email !== 'string' || !orderNumber.trim() || !email.trim()) {
      return { error: 'lookup_order needs orderNumber and email, both strings; ask the shopper for whichever is missing.' };
    }
    // The same "not found" for a wrong number, a wrong email or a malformed one: nothing can be probed.
    const order = await lookupOrder(context.orders!, orderNumber, email, context.signal);
    if (!order) return { found: false };
    return { found: true, orderNumber: order.orderNumber, status: order.status, carrier: order.carrier, trackingUrl: order.trackingUrl, estimatedDelivery: order.estimatedDelivery, items: order.items };
  }
  try {
    const hits = searchCatalog(context.catalog, parseCatalogQuery(input), SEARCH_RESULTS);
    for (const hit of hits) if (!context.found.has(hit.product.slug)) context.found.set(hit.product.slug, { product: hit.product, passage: hit.passage });
    return hits.length
      ? { count: hits.length, products: hits.map(toolProduct) }
      : { count: 0, products: [], note: 'No product of the catalog matches. Say so, or search again with fewer words or filters; never name a product that is not listed.' };
  } catch (error) {
    if (error instanceof CatalogQueryError) return { error: error.message };
    throw error;
  }
}

/** Fields of a product in a tool result, first in this order; its other fields follow (pictures left out). */
const LEADING_FIELDS = ['description', 'category', 'materials', 'sizes', 'colors', 'fit', 'dimensions', 'weight', 'compatibility', 'care'];
const OMITTED_FIELDS = new Set(['slug', 'name', 'price', 'currency', 'url', 'image', 'imageAlt', 'availability', 'inStock', ...LEADING_FIELDS]);

/** A product as `search_products` hands it to the model: the catalog's own data only, long texts cut. */
function toolProduct({ product, passage }: CatalogEntry): Record<string, unknown> {
  const card = cardOf(product, passage.url);
  const fields: Record<string, unknown> = {
    id: product.slug,
    name: product.name,
    ...(card.price !== undefined ? { price: card.price, currency: card.currency } : {}),
    ...(card.url ? { url: card.url } : {}),
    ...(card.availability ? { availability: card.availability } : {}),
  };
  const own = Object.keys(product).filter((field) => !OMITTED_FIELDS.has(field));
  for (const field of [...LEADING_FIELDS, ...own]) {
    const value = catalogValue(product[field]);
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

function catalogValue(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() ? clip(value) : undefined;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const items = value.filter((item): item is string | number => typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))).map((item) => (typeof item === 'string' ? clip(item) : item));
    return items.length ? items : undefined;
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS - 1)}…` : text;
}

/** `search_products`, described with the catalog's own categories and fields so the model asks what it has. */
export function searchProductsTool(catalog: Catalog) {
  const list = (names: readonly string[]) => names.slice(0, MAX_LISTED).join(', ') + (names.length > MAX_LISTED ? ', …' : '');
  const currencies = [...new Set(catalog.entries.map(({ product }) => product.currency ?? 'USD'))];
  return {
    type: 'function',
    function: {
      name: 'search_products',
      description:
        `Searches the store's catalog and returns up to ${SEARCH_RESULTS} matching products with their catalog fields (name, price, url, category, attributes), ` +
        `best match first, or cheapest first without words. Use it to find, compare or recommend products; prices are in ${currencies.join(' or ')}.`,
      parameters: {
        type: 'object',
        properties: {
          words: { type: 'string', description: 'What the shopper is looking for, in a few words (e.g. "waterproof jacket"). Omit to use the filters alone.' },
          minPrice: { type: 'number', minimum: 0, description: 'Lowest price, inclusive.' },
          maxPrice: { type: 'number', minimum: 0, description: 'Highest price, inclusive.' },
          category: { type: 'string', description: catalog.categories.length ? `A category of the catalog: ${list(catalog.categories)}.` : 'A category of the catalog.' },
          attributes: {
            type: 'object',
            additionalProperties: { type: 'string' },
            description: `Catalog fields and the value wanted, one value each, e.g. {"color":"navy","size":"M"}. Fields: ${list(catalog.fields)}.`,
          },
        },
        additionalProperties: false,
      },
    },
  };
}

/** The order lookup, offered to the model as a chat-completions tool when the store gave one. */
export const LOOKUP_ORDER_TOOL = {
  type: 'function',
  function: {
    name: 'lookup_order',
    description: "Looks up an order's status. Needs the order number and the email address the shopper placed it with.",
    parameters: {
      type: 'object',
      properties: { orderNumber: { type: 'string' }, email: { type: 'string' } },
      required: ['orderNumber', 'email'],
    },
  },
};

