import { createHash } from 'node:crypto';
import type { FeedbackResponse, HandoffResponse, ThreadMessage } from '@concierge/core';
import { HttpError } from './http-error';
import { parseFeedback, parseHandoff } from './schema';
import type { ProxyStore } from './store';
import type { Feedback, Handoff, WebhookEvent } from './webhooks';

export interface ShopperActionsOptions {
  store: ProxyStore;
  /** Throws a 404 unless the request carries the thread's token. */
  assertOwner(request: Request, threadId: string): Promise<void>;
  /** The thread's messages: the proxy's transcript, or the vendor's history; `undefined` when unknown. */
  transcript(threadId: string, signal: AbortSignal): Promise<ThreadMessage[] | undefined>;
  /** Whether the proxy keeps transcripts (so a rated reply can be checked against them). */
  keepsTranscripts(): Promise<boolean>;
  threadTtlSeconds: number;
  /** Whether handoff is set up (an `onHandoff` hook or a webhook). */
  handoffEnabled: boolean;
  handoffReplyTime: string;
  /** Passes an event to the store's hook and webhook, in the background. */
  notify(event: WebhookEvent): void;
  readJson(request: Request): Promise<unknown>;
}

/**
 * The two things a shopper tells the store besides messages: feedback on a reply
 * (`POST {base}/feedback`) and a request for a person (`POST {base}/handoff`). Both are
 * owner-only (thread token) and reach the store through `onFeedback` / `onHandoff` and the webhook.
 */
export function createShopperActions(options: ShopperActionsOptions) {
  const { store } = options;
  return {
    async feedback(request: Request): Promise<Response> {
      const body = parseFeedback(await options.readJson(request));
      await options.assertOwner(request, body.threadId);
      let reply: string | undefined;
      if (await options.keepsTranscripts()) {
        const messages = await options.transcript(body.threadId, request.signal);
        const rated = messages?.find((message) => message.id === body.messageId && message.role === 'assistant');
        if (!rated) throw new HttpError(404, 'not_found', 'This thread has no reply with that messageId.', { field: 'messageId' });
        reply = rated.text;
      }
      // The same rating and comment again (a double click, a retried request) counts once.
      const digest = await sha256Hex(JSON.stringify([body.rating, body.comment ?? '']));
      const first = await store.claim(`feedback-seen:${body.threadId}:${body.messageId}:${digest}`, 1, options.threadTtlSeconds);
      if (first) {
        const feedback: Feedback = { ...body, ...(reply === undefined ? {} : { reply }), createdAt: new Date().toISOString() };
        // Kept with the thread, for as long as its transcript: the latest rating of each reply.
        await store.set(`feedback:${body.threadId}:${body.messageId}`, feedback, options.threadTtlSeconds);
        options.notify({ type: 'feedback.created', data: feedback });
      }
      return Response.json({ recorded: true, duplicate: !first } satisfies FeedbackResponse);
    },

    async handoff(request: Request): Promise<Response> {
      if (!options.handoffEnabled) {
        throw new HttpError(404, 'not_found', 'Talking to a person is not set up on this store (onHandoff or a webhook).');
      }
      const body = parseHandoff(await options.readJson(request));
      let transcript: ThreadMessage[] = [];
      if (body.threadId) {
        await options.assertOwner(request, body.threadId);
        transcript = ((await options.transcript(body.threadId, request.signal).catch(() => undefined)) ?? []).slice(-50);
      }
      const handoff: Handoff = { handoffId: crypto.randomUUID(), ...body, transcript, createdAt: new Date().toISOString() };
      options.notify({ type: 'handoff.requested', data: handoff });
      return Response.json({ handoffId: handoff.handoffId, replyTime: options.handoffReplyTime } satisfies HandoffResponse);
    },
  };
}

/** SHA-256 of a text, in hex. */
export async function sha256Hex(text: string): Promise<string> {
  return createHash('sha256').update(text).digest('hex');
}
