import type { Source, ThreadHistory } from '@concierge/core';
import { HttpError } from '../http-error';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
import {
  callUpstream,
  isEventStream,
  joinUrl,
  malformed,
  parseData,
  rawExtra,
  readUpstreamJson,
  upstreamEvents,
  type UpstreamOptions,
} from '../upstream';

export interface AlonChatProviderOptions extends Omit<UpstreamOptions, 'vendor' | 'keyVariable'> {
  agentId: string;
  /** @default "https://api.alonchat.com" */
  baseUrl?: string;
  /** Ask AlonChat to stream. @default true */
  stream?: boolean;
}

const KNOWN = ['response', 'conversation_id', 'message_id', 'confidence', 'sources', 'type', 'content', 'text'];

/** AlonChat's chat API, streamed chunk by chunk; history comes from its conversations endpoint. */
export function createAlonChatProvider(options: AlonChatProviderOptions): Provider {
  const upstream: UpstreamOptions = { vendor: 'AlonChat', keyVariable: 'ALONCHAT_API_KEY', ...options };
  const baseUrl = options.baseUrl ?? 'https://api.alonchat.com';
  const stream = options.stream ?? true;

  return {
    name: 'alonchat',
    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      const body: Record<string, unknown> = { message: request.message, stream };
      if (request.threadId) body.conversation_id = request.threadId;
      const metadata = { ...request.metadata };
      if (request.pageUrl) metadata.page_url = request.pageUrl;
      if (request.locale) metadata.locale = request.locale;
      if (Object.keys(metadata).length) body.metadata = metadata;
      const response = await callUpstream(upstream, joinUrl(baseUrl, `/v1/agents/${encodeURIComponent(options.agentId)}/chat`), {
        body,
        accept: stream ? 'text/event-stream, application/json' : 'application/json',
        signal: request.signal,
        notFoundVariable: 'ALONCHAT_AGENT_ID',
      });

      if (!isEventStream(response)) {
        const payload = await readUpstreamJson(response);
        if (!payload || typeof payload !== 'object' || typeof (payload as Record<string, unknown>).response !== 'string') {
          throw malformed();
        }
        const record = payload as Record<string, unknown>;
        yield { type: 'delta', text: record.response as string };
        yield { type: 'sources', sources: sourcesFrom(record.sources) };
        yield done(record);
        return;
      }

      for await (const message of upstreamEvents(response)) {
        const data = parseData(message.data);
        const record = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
        const type = message.event ?? (typeof record.type === 'string' ? record.type : undefined);
        if (type === 'text') {
          const text = record.content ?? record.text;
          if (typeof text !== 'string') throw malformed();
          yield { type: 'delta', text };
        } else if (type === 'sources') {
          yield { type: 'sources', sources: sourcesFrom(Array.isArray(data) ? data : record.sources) };
        } else if (type === 'done') {
          yield done(record);
          return;
        } else if (type === 'error') {
          throw new HttpError(502, 'upstream_unavailable', 'The assistant could not finish its answer.');
        }
      }
      throw new HttpError(502, 'upstream_unavailable', 'The reply was cut off before it finished.');
    },

    async history(threadId: string, signal: AbortSignal): Promise<ThreadHistory | undefined> {
      const response = await callUpstream(upstream, joinUrl(baseUrl, `/v1/conversations/${encodeURIComponent(threadId)}`), {
        signal,
        pass: [404],
      });
      if (response.status === 404) return undefined;
      const payload = (await readUpstreamJson(response)) as Record<string, unknown> | null;
      if (!payload || !Array.isArray(payload.messages)) throw malformed();
      return {
        threadId,
        messages: payload.messages.map((item: Record<string, unknown>, index: number) => {
          if ((item.role !== 'user' && item.role !== 'assistant') || typeof item.content !== 'string') throw malformed();
          return {
            id: `${threadId}:${index}`,
            role: item.role,
            text: item.content,
            createdAt: typeof item.timestamp === 'string' ? item.timestamp : new Date(0).toISOString(),
          };
        }),
      };
    },
  };
}

function done(record: Record<string, unknown>): ProviderEvent {
  const { conversation_id: threadId, message_id: messageId, confidence } = record;
  return {
    type: 'done',
    ...(typeof threadId === 'string' ? { threadId } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(typeof confidence === 'number' && confidence >= 0 && confidence <= 1 ? { confidence } : {}),
    ...(rawExtra(record, KNOWN) ? { raw: rawExtra(record, KNOWN) } : {}),
  };
}

function sourcesFrom(value: unknown): Source[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Source[] => {
    if (!item || typeof item !== 'object') return [];
    const { title, url, relevance } = item as Record<string, unknown>;
    if (typeof title !== 'string') return [];
    return [
      {
        title,
        ...(typeof url === 'string' ? { url } : {}),
        ...(typeof relevance === 'number' ? { relevance } : {}),
      },
    ];
  });
}
