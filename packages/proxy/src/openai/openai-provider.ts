import type { ProductCard, Source } from '@concierge/core';
import { buildCatalog, type CatalogEntry } from '../local/catalog-search';
import { linkTo, loadKnowledgeBase, type KnowledgeBaseOptions } from '../local/knowledge-base';
import { PassageIndex, type Match } from '../local/search';
import { joinQuote } from '../local/evidence';
import { cardOf } from '../local/product-text';
import { createShopAssistant } from '../local/shop-assistant';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
import { LOOKUP_ORDER_TOOL, MAX_ARGUMENTS_CHARS, MAX_CALLS_PER_ROUND, runTool, searchProductsTool, type ToolCall, type ToolContext } from './tools';
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

function toSource({ passage, coverage }: Match): Source {
  return {
    title: passage.heading && passage.kind === 'page' ? `${passage.title}: ${passage.heading}` : passage.title,
    ...(passage.url ? { url: passage.url } : {}),
    relevance: Math.round(coverage * 100) / 100,
  };
}
