import type { FeedbackRequest, HandoffRequest, ThreadMessage } from '@concierge/core';
import { Webhook } from 'standardwebhooks';

/** A shopper's rating of a reply, as the proxy passes it to the store (`onFeedback`, the webhook). */
export interface Feedback extends FeedbackRequest {
  /** The rated reply's text, when the proxy keeps the transcript. */
  reply?: string;
  /** ISO 8601. */
  createdAt: string;
}

/** A shopper asking for a person, as the proxy passes it to the store (`onHandoff`, the webhook). */
export interface Handoff extends HandoffRequest {
  handoffId: string;
  /** The conversation so far (its last 50 messages), when there is one. */
  transcript: ThreadMessage[];
  /** ISO 8601. */
  createdAt: string;
}

/**
 * A problem only the store's owner can fix: the vendor refused for billing (Hania's 402
 * `SERVICE_SUSPENDED`, `PLAN_LIMIT_REACHED`, `INSUFFICIENT_BALANCE`). Shoppers only see
 * "temporarily unavailable".
 */
export interface BillingProblem {
  provider: string;
  /** e.g. `plan_limit_reached`. */
  reason: string;
  message: string;
  /** ISO 8601. */
  createdAt: string;
}

/** What the webhook receives: `{ type, timestamp, data }`, signed per the Standard Webhooks spec. */
export type WebhookEvent =
  | { type: 'feedback.created'; data: Feedback }
  | { type: 'handoff.requested'; data: Handoff }
  | { type: 'billing.problem'; data: BillingProblem };

export interface WebhookOptions {
  /** Where events are POSTed (`CONCIERGE_WEBHOOK_URL`). */
  url: string;
  /** The signing secret, `whsec_` and base64 (`CONCIERGE_WEBHOOK_SECRET`). */
  secret: string;
  /** Waits before each retry of a failed delivery. @default 5 s, 30 s, 2 min, 10 min */
  retryDelaysMs?: number[];
  /** How long one delivery may take. @default 10000 */
  timeoutMs?: number;
}

export interface WebhookSender {
  /** Delivers in the background, retrying with backoff; settles when delivered or given up. */
  send(event: WebhookEvent): Promise<void>;
}

const DEFAULT_DELAYS_MS = [5_000, 30_000, 120_000, 600_000];

/**
 * Sends signed events to the store's endpoint. Each event has one `webhook-id` on every try, so
 * the receiver can drop repeats; 2xx ends it, 4xx other than 408/429 gives up, anything else retries.
 */
export function createWebhookSender(options: WebhookOptions, onError: (error: unknown) => void): WebhookSender {
  // Throws at start on a secret that is not base64: a misconfiguration, not a shopper's problem.
  const signer = new Webhook(options.secret);
  const url = new URL(options.url);
  const delays = options.retryDelaysMs ?? DEFAULT_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(event) {
      const id = `msg_${crypto.randomUUID()}`;
      const timestamp = new Date();
      const payload = JSON.stringify({ type: event.type, timestamp: timestamp.toISOString(), data: event.data });
      const headers = {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signer.sign(id, timestamp, payload),
      };
      for (let attempt = 0; ; attempt++) {
        let problem: string;
        let retry = true;
        try {
          const response = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
          await response.body?.cancel();
          if (response.ok) return;
          problem = `answered ${response.status}`;
          retry = response.status >= 500 || response.status === 408 || response.status === 429;
        } catch (thrown) {
          problem = `failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
        }
        if (!retry || attempt >= delays.length) {
          onError(new Error(`Webhook ${event.type} (${id}) to ${url.origin} ${problem}; giving up after ${attempt + 1} tries.`));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
      }
    },
  };
}
