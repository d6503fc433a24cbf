import type { ProductCard, Source } from '@concierge/core';
import { buildCatalog, CatalogQueryError, parseCatalogQuery, searchCatalog, type Catalog, type CatalogEntry } from '../local/catalog-search';
import { linkTo, loadKnowledgeBase, type KnowledgeBaseOptions } from '../local/knowledge-base';
import { lookupOrder } from '../local/order-status';
import { PassageIndex, type Match } from '../local/search';
import { joinQuote } from '../local/evidence';
import { cardOf, createShopAssistant } from '../local/shop-assistant';
import type { OrderLookup, Provider, ProviderEvent, ProviderRequest } from '../provider';
import { callUpstream, joinUrl, malformed, parseData, upstreamEvents, type UpstreamOptions } from '../upstream';

export interface OpenAIProviderOptions extends Omit<UpstreamOptions, 'vendor' | 'keyVariable' | 'apiKey'>, KnowledgeBaseOptions {
  /** Not needed by local servers such as Ollama or llama.cpp. */
  apiKey?: string;
  /** Any OpenAI-compatible API. @default "https://api.openai.com/v1" */
  baseUrl?: string;
  /** Model name, e.g. `gpt-4o-mini` or `llama3.1`. */
  model: string;
  /** Knowledge base the answers are grounded on. */
  dir: string;
  /** Passages given to the model. @default 4 */
  passages?: number;
  /** Earlier messages of the thread given to the model. @default 8 */
  historyMessages?: number;
}

/**
 * Rounds in which the model may call tools before it must answer. Each round is one more
 * request to the model (a search, a refined search, an order lookup is plenty); after the last
 * one the tools are still described but `tool_choice: "none"` asks for the answer, and any call
 * the model makes anyway is not run.
 */
export const MAX_TOOL_ROUNDS = 3;
/** Tool calls run in one round; further calls of the same round get an error result. */
const MAX_CALLS_PER_ROUND = 4;
/** Longest arguments of one tool call, in characters; a search or a lookup needs far fewer. */
const MAX_ARGUMENTS_CHARS = 8_000;
/** Products one `search_products` call hands back to the model. */
const SEARCH_RESULTS = 5;
/** Longest text of one catalog field in a tool result, in characters (a long `care` or `description` is cut). */
const MAX_FIELD_CHARS = 400;
/** Categories and field names listed in the tool's description, at most. */
const MAX_LISTED = 30;
/** Product cards with one reply, at most. */
const MAX_CARDS = 6;

/**
 * Any OpenAI-compatible chat-completions endpoint, grounded on the local knowledge base:
 * the best passages go into the prompt, the answer streams back, and the passages are its sources.
 *
 * The model gets chat-completions tools: `search_products` (a structured catalog search, see
 * `searchCatalog`) whenever the knowledge base has products, and `lookup_order` when the store
 * passed its order lookup. It may call them for up to {@link MAX_TOOL_ROUNDS} rounds before it
 * answers. Arguments that are not JSON or fail validation come back to it as `{ "error": "…" }`,
 * so it can correct itself; the reply never fails because of them.
 *
 * Product cards: the catalog products the answer names, among those the model was given (the
 * prompt's product passages and every `search_products` result), in the order the answer names
 * them. A product a search returned but the answer leaves out (or turns down) gets no card: the
 * shopper sees cards for what the reply talks about.
 */
export async function createOpenAIProvider(options: OpenAIProviderOptions): Promise<Provider> {
  const knowledgeBase = await loadKnowledgeBase(options.dir, options);
  const index = new PassageIndex(knowledgeBase.passages);
  // The same ranked evidence the local provider answers from: pages down to their sentences, catalog records.
  const assistant = createShopAssistant(knowledgeBase, index);
  const catalog = buildCatalog(knowledgeBase.passages);
  const searchTool = catalog.entries.length ? searchProductsTool(catalog) : undefined;
  const upstream: UpstreamOptions = { vendor: 'OpenAI-compatible API', keyVariable: 'OPENAI_API_KEY', ...options, apiKey: options.apiKey ?? '' };
  const baseUrl = options.baseUrl ?? 'https://api.openai.com/v1';
  const contact = knowledgeBase.contact;
  const passageCount = options.passages ?? 4;

  return {
    name: 'openai',
    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      const ranked = assistant.evidence(request.message, request.history, passageCount);
      const matches = ranked.map(({ match }) => match);
      const system = [
        'You are the customer-support assistant of an online store. Answer only from the passages below and the results of your tools.',
        'Name products exactly as the passages or the tools do.',
        searchTool
          ? 'To find, compare or recommend products (by need, price, category, colour, size or any other field), call search_products; recommend only products it or the passages return, with their catalog prices.'
          : '',
        request.orders ? 'For the status of an order, ask for the order number and the email address, then call lookup_order; never guess a status.' : '',
        'If they do not contain the answer, say plainly that you do not know and point the shopper to',
        contact ? `the contact page${contact.url ? ` (${contact.url})` : ` "${contact.title}"`}.` : 'customer care.',
        'Be brief and friendly, write Markdown, and never invent policies, prices or products.',
        request.locale ? `Answer in the language of the locale "${request.locale}".` : '',
        '',
        'Passages:',
        formatPassages(ranked) || '(none found)',
      ]
        .filter((line, position, lines) => line || lines[position + 1] === 'Passages:')
        .join('\n');
      const messages: Record<string, unknown>[] = [
        { role: 'system', content: system },
        ...request.history.slice(-(options.historyMessages ?? 8)).map(({ role, text }) => ({ role, content: text })),
        { role: 'user', content: request.message },
      ];
      const tools = [...(searchTool ? [searchTool] : []), ...(request.orders ? [LOOKUP_ORDER_TOOL] : [])];
      const tooling: ToolContext = { catalog, orders: request.orders, signal: request.signal, found: new Map() };
      let answer = '';
      let usedTools = false;
      for (let round = 0; ; round++) {
        // After MAX_TOOL_ROUNDS rounds of calls, the model must answer.
        const last = round >= MAX_TOOL_ROUNDS;
        const offer = tools.length ? { tools, ...(last ? { tool_choice: 'none' } : {}) } : {};
        const response = await callUpstream(upstream, joinUrl(baseUrl, '/chat/completions'), {
          body: { model: options.model, stream: true, messages, ...offer },
          accept: 'text/event-stream',
          signal: request.signal,
        });
        let finished = false;
        let said = '';
        const calls = new Map<number, ToolCall>();
        for await (const message of upstreamEvents(response)) {
          if (message.data === '[DONE]') {
            finished = true;
            break;
          }
          const chunk = parseData(message.data) as {
            choices?: { delta?: { content?: unknown; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason?: unknown }[];
          };
          if (!Array.isArray(chunk?.choices)) throw malformed();
          const delta = chunk.choices[0]?.delta;
          const content = delta?.content;
          if (typeof content === 'string' && content) {
            // A round after tool calls starts a new paragraph rather than running on from the last.
            if (!said && answer && !/\s$/.test(answer)) {
              answer += '\n\n';
              yield { type: 'delta', text: '\n\n' };
            }
            said += content;
            answer += content;
            yield { type: 'delta', text: content };
          }
          for (const call of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
            const position = typeof call?.index === 'number' ? call.index : 0;
            let slot = calls.get(position);
            if (!slot) calls.set(position, (slot = { id: '', name: '', arguments: '' }));
            if (typeof call.id === 'string' && call.id) slot.id = call.id;
            if (typeof call.function?.name === 'string' && call.function.name) slot.name = call.function.name;
            if (typeof call.function?.arguments === 'string' && slot.arguments.length <= MAX_ARGUMENTS_CHARS) slot.arguments += call.function.arguments;
          }
          if (chunk.choices[0]?.finish_reason) finished = true;
        }
        if (!finished) return;
        if (!calls.size || !tools.length || last) break;
        usedTools = true;
        const made = [...calls.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, call], position) => ({ ...call, id: call.id || `call_${round}_${position}` }));
        messages.push({
          role: 'assistant',
          content: said || null,
          tool_calls: made.map(({ id, name, arguments: text }) => ({ id, type: 'function', function: { name, arguments: text } })),
        });
        for (const [position, call] of made.entries()) {
          const result =
            position < MAX_CALLS_PER_ROUND
              ? await runTool(call, tooling)
              : { error: `At most ${MAX_CALLS_PER_ROUND} tool calls at once; make this one again after reading the others' results.` };
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
        }
      }
      if (usedTools && !answer.trim()) {
        // The model used its rounds and said nothing: what the tools found, from the catalog alone.
        const found = [...tooling.found.values()].slice(0, MAX_CARDS);
        answer = found.length
          ? `Here is what I found in the catalog:\n\n${found.map(({ product, passage }) => `- ${linkTo(product.name, passage.url)}`).join('\n')}`
          : `Sorry, I could not find the answer to that. Please ${contact ? `see ${linkTo(contact.title, contact.url)}` : 'contact customer care'}.`;
        yield { type: 'delta', text: answer };
      }
      const shown = namedProducts(answer, [...tooling.found.values(), ...matches.flatMap(({ passage }) => (passage.product ? [{ product: passage.product, passage }] : []))]);
      const cited = new Set(matches.map(({ passage }) => passage.id));
      yield {
        type: 'sources',
        sources: [
          ...matches.map(toSource),
          // Products a search found and the answer names are its sources too.
          ...shown.filter(({ passage }) => !cited.has(passage.id)).map(({ product, passage }) => ({ title: product.name, ...(passage.url ? { url: passage.url } : {}) })),
        ],
      };
      const products: ProductCard[] = shown.map(({ product, passage }) => cardOf(product, passage.url));
      if (products.length) yield { type: 'products', products };
      yield { type: 'done', ...(matches[0] ? { confidence: Math.round(matches[0].coverage * 100) / 100 } : {}), raw: { model: options.model } };
    },
  };
}

/** The evidence as the prompt lists it: numbered, with title, section and link, the sentences that answer, then the text. */
function formatPassages(evidence: { match: Match; quote: string[] }[]): string {
  return evidence
    .map(({ match: { passage }, quote }, number) => {
      const heading = `[${number + 1}] ${passage.title}${passage.heading ? ` – ${passage.heading}` : ''}${passage.url ? ` (${passage.url})` : ''}`;
      const answers = quote.length ? `\nMost relevant: ${joinQuote(quote)}` : '';
      return `${heading}${answers}\n${passage.text}`;
    })
    .join('\n\n');
}

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface ToolContext {
  catalog: Catalog;
  orders: OrderLookup | undefined;
  signal: AbortSignal;
  /** Every product `search_products` returned in this reply, by slug, in the order found. */
  found: Map<string, CatalogEntry>;
}

/** Runs one tool call and returns what goes back to the model: the tool's result, or `{ error }` to correct. */
async function runTool(call: ToolCall, context: ToolContext): Promise<unknown> {
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

/** The products the answer names (whole words, any case), in the order it first names them, without repeats. */
function namedProducts(answer: string, candidates: CatalogEntry[]): CatalogEntry[] {
  const text = answer.toLowerCase();
  const seen = new Set<string>();
  return candidates
    .flatMap((entry) => {
      if (seen.has(entry.product.slug)) return [];
      seen.add(entry.product.slug);
      const at = mention(text, entry.product.name.toLowerCase());
      return at < 0 ? [] : [{ entry, at }];
    })
    .sort((a, b) => a.at - b.at)
    .slice(0, MAX_CARDS)
    .map(({ entry }) => entry);
}

/** Where `name` first stands in `text` as whole words, or -1. */
function mention(text: string, name: string): number {
  if (!name) return -1;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = text[at - 1];
    const after = text[at + name.length];
    if (!(before && /[\p{L}\p{N}]/u.test(before)) && !(after && /[\p{L}\p{N}]/u.test(after))) return at;
  }
  return -1;
}

/** `search_products`, described with the catalog's own categories and fields so the model asks what it has. */
function searchProductsTool(catalog: Catalog) {
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
const LOOKUP_ORDER_TOOL = {
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

function toSource({ passage, coverage }: Match): Source {
  return {
    title: passage.heading && passage.kind === 'page' ? `${passage.title}: ${passage.heading}` : passage.title,
    ...(passage.url ? { url: passage.url } : {}),
    relevance: Math.round(coverage * 100) / 100,
  };
}
