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
  upstreamLog,
  type UpstreamOptions,
} from '../upstream';

export interface HaniaProviderOptions extends Omit<UpstreamOptions, 'vendor' | 'keyVariable'> {
  /** The bot to message (a uuid). */
  botId: string;
  /** @default "https://app.hania.ai" */
  baseUrl?: string;
  /** Use `/chat/send-stream`. @default true */
  stream?: boolean;
}

const BILLING_CODES = new Set(['SERVICE_SUSPENDED', 'PLAN_LIMIT_REACHED', 'INSUFFICIENT_BALANCE']);

/**
 * Hania's chat API. Every documented field is passed on: `external_user_id`, `conversation_id`,
 * `new_conversation`, `agent_mode` and `channel`. A new conversation's first reply is the bot's
 * instant greeting, passed through like any reply.
 */
export function createHaniaProvider(options: HaniaProviderOptions): Provider {
  const upstream: UpstreamOptions = { vendor: 'Hania', keyVariable: 'HANIA_API_KEY', ...options };
  const baseUrl = options.baseUrl ?? 'https://app.hania.ai';
  const stream = options.stream ?? true;

  return {
    name: 'hania',
    async *reply(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
      const body: Record<string, unknown> = { bot_id: options.botId, message: request.message };
      if (request.externalUserId) body.external_user_id = request.externalUserId;
      if (request.threadId) body.conversation_id = request.threadId;
      if (request.newConversation !== undefined) body.new_conversation = request.newConversation;
      if (request.agentMode !== undefined) body.agent_mode = request.agentMode;
      body.channel = request.channel ?? 'api';
      const response = await callUpstream(upstream, joinUrl(baseUrl, stream ? '/api/v1/chat/send-stream' : '/api/v1/chat/send'), {
        body,
        accept: stream ? 'text/event-stream, application/json' : 'application/json',
        signal: request.signal,
        notFoundVariable: 'HANIA_BOT_ID',
      });

      if (!isEventStream(response)) {
        const envelope = (await readUpstreamJson(response)) as Record<string, unknown> | null;
        if (envelope?.success === false) throw envelopeError(envelope, upstream);
        const data = envelope?.data as Record<string, unknown> | undefined;
        if (!data || typeof data.response !== 'string') throw malformed();
        yield { type: 'delta', text: data.response };
        yield { type: 'sources', sources: [] };
        yield done(data, request);
        return;
      }

      for await (const message of upstreamEvents(response)) {
        if (message.data === '[DONE]') {
          yield { type: 'sources', sources: [] };
          yield done({}, request);
          return;
        }
        const data = parseData(message.data) as Record<string, unknown> | null;
        if (!data || typeof data !== 'object') throw malformed();
        if (message.event === 'error') throw envelopeError(data, upstream);
        if (message.event === 'done') {
          yield { type: 'sources', sources: [] };
          yield done(data, request);
          return;
        }
        const text = message.event === 'delta' ? data.text : data.delta;
        if (typeof text !== 'string') throw malformed();
        yield { type: 'delta', text };
      }
      throw new HttpError(502, 'upstream_unavailable', 'The reply was cut off before it finished.');
    },
  };
}

function done(data: Record<string, unknown>, request: ProviderRequest): ProviderEvent {
  const threadId = typeof data.conversation_id === 'string' ? data.conversation_id : request.threadId;
  const raw = rawExtra(data, ['conversation_id', 'response']);
  return { type: 'done', ...(threadId ? { threadId } : {}), ...(raw ? { raw } : {}) };
}

/** Hania's `{success:false, code, message}` or an `error` event, as a typed error. */
function envelopeError(body: Record<string, unknown>, upstream: UpstreamOptions): HttpError {
  const code = typeof body.code === 'string' ? body.code : '';
  upstreamLog(upstream)(`Hania reported an error${code ? ` (${code})` : ''}.`);
  if (BILLING_CODES.has(code)) {
    return new HttpError(402, 'billing', 'The assistant is temporarily unavailable.', { reason: code.toLowerCase() });
  }
  return new HttpError(502, 'upstream_unavailable', 'The assistant could not finish its answer.');
}
