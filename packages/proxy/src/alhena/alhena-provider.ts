import type { ProductFaq, ProductFaqsResponse, Source } from '@concierge/core';
import type { Provider, ProviderEvent, ProviderRequest, ProductFaqsQuery } from '../provider';
import {
  callUpstream,
  joinUrl,
  malformed,
  rawExtra,
  readUpstreamJson,
  retryAfterSeconds,
  type UpstreamOptions,
} from '../upstream';

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
  const sendMessage = async (body: Record<string, unknown>, signal: AbortSignal) => {
    const response = await callUpstream(upstream, joinUrl(baseUrl, '/api/v1/send_message'), { body, signal });
    const payload = await readUpstreamJson(response);
    if (!payload || typeof payload !== 'object') throw malformed();
    const record = payload as Record<string, unknown>;
    const text = record.response ?? record.answer;
    if (typeof text !== 'string') throw malformed();
    return { record, text, sources: sourcesFrom(record.sources ?? record.links) };
  };

  return {
    name,
    async productFaqs({ pageUrl, locale, count, signal }: ProductFaqsQuery): Promise<ProductFaqsResponse> {
      const query = new URLSearchParams({ page_url: pageUrl, locale, count: String(count) });
      const response = await callUpstream(upstream, joinUrl(baseUrl, `/api/v1/product-faqs?${query}`), { signal, pass: [202] });
      const body = (await readUpstreamJson(response)) as Record<string, unknown> | null;
      if (response.status === 202 || body?.status === 'generating') {
        const seconds = retryAfterSeconds(response.headers, { retry_after: body?.retry_after_seconds });
        return { status: 'generating', retryAfterSeconds: Math.max(1, seconds ?? 5) };
      }
      if (body?.status === 'not_available') return { status: 'not_available', faqs: [] };
      if (body?.status !== 'ready' || !Array.isArray(body.faqs)) throw malformed();
      const faqs = body.faqs.map(toFaq);
      // An FAQ without its answer gets it from send_message with faq_id: a cached, fast answer.
      await Promise.all(
        faqs
          .filter((faq) => faq.answer === undefined)
          .map(async (faq) => {
            const answer = await sendMessage({ query_text: faq.question, faq_id: faq.id, page_url: pageUrl, locale }, signal);
            faq.answer = answer.text;
            faq.sources = answer.sources;
          }),
      );
      return { status: 'ready', faqs: faqs.slice(0, count) };
    },

    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      const body: Record<string, unknown> = { query_text: request.message };
      if (request.threadId) body.thread_id = request.threadId;
      if (request.faqId !== undefined) body.faq_id = request.faqId;
      if (request.pageUrl) body.page_url = request.pageUrl;
      if (request.locale) body.locale = request.locale;
      // Keys starting with "_" are private to the vendor's tools; they are sent, never echoed.
      if (request.metadata) body.user_metadata = request.metadata;
      const { record, text, sources } = await sendMessage(body, request.signal);
      const threadId = record.thread_id;
      yield { type: 'delta', text };
      yield { type: 'sources', sources };
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

function toFaq(value: unknown): ProductFaq {
  const { id, question, answer } = (value ?? {}) as Record<string, unknown>;
  const number = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0 || typeof question !== 'string') {
    throw malformed();
  }
  return { id: number, question, ...(typeof answer === 'string' ? { answer } : {}) };
}
