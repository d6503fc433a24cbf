import type { Source } from '@concierge/core';
import { loadKnowledgeBase, type KnowledgeBaseOptions } from '../local/knowledge-base';
import { lookupOrder } from '../local/order-status';
import { PassageIndex, type Match } from '../local/search';
import { cardOf } from '../local/shop-assistant';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
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
 * Any OpenAI-compatible chat-completions endpoint, grounded on the local knowledge base:
 * the best passages go into the prompt, the answer streams back, and the passages are its sources.
 */
export async function createOpenAIProvider(options: OpenAIProviderOptions): Promise<Provider> {
  const knowledgeBase = await loadKnowledgeBase(options.dir, options);
  const index = new PassageIndex(knowledgeBase.passages);
  const upstream: UpstreamOptions = { vendor: 'OpenAI-compatible API', keyVariable: 'OPENAI_API_KEY', ...options, apiKey: options.apiKey ?? '' };
  const baseUrl = options.baseUrl ?? 'https://api.openai.com/v1';
  const contact = knowledgeBase.contact;

  return {
    name: 'openai',
    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      const previous = request.history.findLast((message) => message.role === 'user');
      const query = previous ? `${previous.text} ${request.message}` : request.message;
      const matches = [...index.search(request.message, options.passages ?? 4), ...(previous ? index.search(query, 2) : [])]
        .filter((match, position, all) => all.findIndex((other) => other.passage.id === match.passage.id) === position)
        .slice(0, options.passages ?? 4);
      const context = matches
        .map(({ passage }, number) => `[${number + 1}] ${passage.title}${passage.heading ? ` – ${passage.heading}` : ''} ${passage.url ? ` (${passage.url})` : ''}\n${passage.text}`)
        .join('\n\n');
      const system = [
        'You are the customer-support assistant of an online store. Answer only from the passages below.',
        'Name products exactly as the passages do.',
        request.orders ? 'For the status of an order, ask for the order number and the email address, then call lookup_order; never guess a status.' : '',
        'If they do not contain the answer, say plainly that you do not know and point the shopper to',
        contact ? `the contact page${contact.url ? ` (${contact.url})` : ` "${contact.title}"`}.` : 'customer care.',
        'Be brief and friendly, write Markdown, and never invent policies, prices or products.',
        request.locale ? `Answer in the language of the locale "${request.locale}".` : '',
        '',
        'Passages:',
        context || '(none found)',
      ].join('\n');
      const messages: Record<string, unknown>[] = [
        { role: 'system', content: system },
        ...request.history.slice(-(options.historyMessages ?? 8)).map(({ role, text }) => ({ role, content: text })),
        { role: 'user', content: request.message },
      ];
      let answer = '';
      // One round of the order-lookup tool at most: the model asks, the proxy looks up, the model answers.
      for (let round = 0; round < 2; round++) {
        const tools = request.orders && round === 0 ? { tools: [LOOKUP_ORDER_TOOL] } : {};
        const response = await callUpstream(upstream, joinUrl(baseUrl, '/chat/completions'), {
          body: { model: options.model, stream: true, messages, ...tools },
          accept: 'text/event-stream',
          signal: request.signal,
        });
        let finished = false;
        const calls: { id: string; name: string; arguments: string }[] = [];
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
            answer += content;
            yield { type: 'delta', text: content };
          }
          for (const call of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
            const slot = (calls[call.index ?? 0] ??= { id: '', name: '', arguments: '' });
            if (call.id) slot.id = call.id;
            if (call.function?.name) slot.name = call.function.name;
            if (typeof call.function?.arguments === 'string') slot.arguments += call.function.arguments;
          }
          if (chunk.choices[0]?.finish_reason) finished = true;
        }
        if (!finished) return;
        if (!calls.length || !request.orders) break;
        messages.push({ role: 'assistant', content: null, tool_calls: calls.map(({ id, name, arguments: text }) => ({ id, type: 'function', function: { name, arguments: text } })) });
        for (const call of calls) {
          let result: unknown = { found: false };
          if (call.name === 'lookup_order') {
            const { orderNumber, email } = (safeJson(call.arguments) ?? {}) as { orderNumber?: unknown; email?: unknown };
            const order =
              typeof orderNumber === 'string' && typeof email === 'string' ? await lookupOrder(request.orders, orderNumber, email, request.signal) : undefined;
            if (order) result = { found: true, orderNumber: order.orderNumber, status: order.status, carrier: order.carrier, trackingUrl: order.trackingUrl, estimatedDelivery: order.estimatedDelivery, items: order.items };
          }
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
        }
      }
      yield { type: 'sources', sources: matches.map(toSource) };
      // The catalog's products the answer names come as cards.
      const named = answer.toLowerCase();
      const products = matches.flatMap(({ passage }) => (passage.product && named.includes(passage.product.name.toLowerCase()) ? [cardOf(passage.product, passage.url)] : []));
      if (products.length) yield { type: 'products', products };
      yield { type: 'done', ...(matches[0] ? { confidence: Math.round(matches[0].coverage * 100) / 100 } : {}), raw: { model: options.model } };
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

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toSource({ passage, coverage }: Match): Source {
  return {
    title: passage.heading && passage.kind === 'page' ? `${passage.title}: ${passage.heading}` : passage.title,
    ...(passage.url ? { url: passage.url } : {}),
    relevance: Math.round(coverage * 100) / 100,
  };
}
