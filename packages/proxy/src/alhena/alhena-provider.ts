import type { Source } from '@concierge/core';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
import { callUpstream, joinUrl, malformed, rawExtra, readUpstreamJson, type UpstreamOptions } from '../upstream';

export interface AlhenaProviderOptions extends Omit<UpstreamOptions, 'vendor' | 'keyVariable'> {
  /** @default "https://api.alhena.ai" (an EU or staging host works too) */
  baseUrl?: string;
}

const KNOWN = ['thread_id', 'response', 'answer', 'sources', 'links', 'user_metadata'];

/**
 * Alhena's `send_message` API. It does not stream, so the whole answer arrives as one delta
 * over the same protocol. Gleen is the same API on another host (`gleen/`).
 */
export function createAlhenaProvider(options: AlhenaProviderOptions): Provider {
  return sendMessageProvider('alhena', { vendor: 'Alhena', keyVariable: 'ALHENA_API_KEY', ...options }, options.baseUrl ?? 'https://api.alhena.ai');
}

/** The `send_message` API shared by Alhena and Gleen, under a provider name and upstream settings. */
export function sendMessageProvider(name: string, upstream: UpstreamOptions, baseUrl: string): Provider {
  return {
    name,
    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      const body: Record<string, unknown> = { query_text: request.message };
      if (request.threadId) body.thread_id = request.threadId;
      if (request.faqId !== undefined) body.faq_id = request.faqId;
      if (request.pageUrl) body.page_url = request.pageUrl;
      if (request.locale) body.locale = request.locale;
      // Keys starting with "_" are private to the vendor's tools; they are sent, never echoed.
      if (request.metadata) body.user_metadata = request.metadata;
      const response = await callUpstream(upstream, joinUrl(baseUrl, '/api/v1/send_message'), {
        body,
        signal: request.signal,
      });
      const payload = await readUpstreamJson(response);
      if (!payload || typeof payload !== 'object') throw malformed();
      const record = payload as Record<string, unknown>;
      const text = record.response ?? record.answer;
      if (typeof text !== 'string') throw malformed();
      const threadId = record.thread_id;
      yield { type: 'delta', text };
      yield { type: 'sources', sources: sourcesFrom(record.sources ?? record.links) };
      yield {
        type: 'done',
        ...(typeof threadId === 'string' || typeof threadId === 'number' ? { threadId: String(threadId) } : {}),
        ...(rawExtra(record, KNOWN) ? { raw: rawExtra(record, KNOWN) } : {}),
      };
    },
  };
}

function sourcesFrom(value: unknown): Source[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Source[] => {
    if (typeof item === 'string') return [{ title: item, url: item }];
    if (!item || typeof item !== 'object') return [];
    const { title, url } = item as Record<string, unknown>;
    if (typeof title !== 'string' && typeof url !== 'string') return [];
    return [{ title: typeof title === 'string' ? title : String(url), ...(typeof url === 'string' ? { url } : {}) }];
  });
}
