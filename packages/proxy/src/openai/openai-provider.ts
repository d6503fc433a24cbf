import type { Source } from '@concierge/core';
import { loadKnowledgeBase, type KnowledgeBaseOptions } from '../local/knowledge-base';
import { PassageIndex, type Match } from '../local/search';
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
        'If they do not contain the answer, say plainly that you do not know and point the shopper to',
        contact ? `the contact page${contact.url ? ` (${contact.url})` : ` "${contact.title}"`}.` : 'customer care.',
        'Be brief and friendly, write Markdown, and never invent policies, prices or products.',
        request.locale ? `Answer in the language of the locale "${request.locale}".` : '',
        '',
        'Passages:',
        context || '(none found)',
      ].join('\n');
      const messages = [
        { role: 'system', content: system },
        ...request.history.slice(-(options.historyMessages ?? 8)).map(({ role, text }) => ({ role, content: text })),
        { role: 'user', content: request.message },
      ];
      const response = await callUpstream(upstream, joinUrl(baseUrl, '/chat/completions'), {
        body: { model: options.model, stream: true, messages },
        accept: 'text/event-stream',
        signal: request.signal,
      });
      let finished = false;
      for await (const message of upstreamEvents(response)) {
        if (message.data === '[DONE]') {
          finished = true;
          break;
        }
        const chunk = parseData(message.data) as { choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[] };
        if (!Array.isArray(chunk?.choices)) throw malformed();
        const content = chunk.choices[0]?.delta?.content;
        if (typeof content === 'string' && content) yield { type: 'delta', text: content };
        if (chunk.choices[0]?.finish_reason) finished = true;
      }
      if (!finished) return;
      yield { type: 'sources', sources: matches.map(toSource) };
      yield { type: 'done', ...(matches[0] ? { confidence: Math.round(matches[0].coverage * 100) / 100 } : {}), raw: { model: options.model } };
    },
  };
}

function toSource({ passage, coverage }: Match): Source {
  return {
    title: passage.heading && passage.kind === 'page' ? `${passage.title}: ${passage.heading}` : passage.title,
    ...(passage.url ? { url: passage.url } : {}),
    relevance: Math.round(coverage * 100) / 100,
  };
}
