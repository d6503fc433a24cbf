/**
 * The Concierge wire protocol between the browser client and the proxy.
 * Documented in docs/protocol.md; this file is its only typed definition.
 */

/** A document the answer was grounded on. */
export interface Source {
  /** Human-readable title of the page or product. */
  title: string;
  /** Link to the page (http, https or a site-relative path). */
  url?: string;
  /** Relevance between 0 and 1, when the provider reports one. */
  relevance?: number;
}

/** A product of the store's catalog, shown as a card with a reply. */
export interface ProductCard {
  /** The catalog's id for it (e.g. its slug). */
  id: string;
  name: string;
  /** Its page on the store (http, https or a site-relative path). */
  url?: string;
  /** A picture of it (http, https or a site-relative path). */
  image?: string;
  /** Text describing the picture; the name when absent. */
  imageAlt?: string;
  price?: number;
  /** ISO 4217 code. @default "USD" */
  currency?: string;
  availability?: 'in_stock' | 'out_of_stock' | 'preorder';
  /** One line on why it fits the question. */
  reason?: string;
}

/** Body of `POST {endpoint}/messages`. */
export interface SendMessageRequest {
  /** What the shopper typed: 1–4,000 characters after trimming. */
  message: string;
  /** Continue this thread; omit to start a new one. */
  threadId?: string;
  /** BCP 47 language tag, e.g. `en` or `fr-CA`. */
  locale?: string;
  /** The page the shopper is on (http or https). */
  pageUrl?: string;
  /** Small key/value context for the provider (at most 4 KB as JSON). */
  metadata?: Record<string, string | number | boolean | null>;
  /** Ask for a Server-Sent Events stream instead of one JSON reply. @default true from the client */
  stream?: boolean;
  /** Answer a product FAQ: its id, with `message` equal to the FAQ's question (Alhena, Gleen). */
  faqId?: number;
  /** The site's own id for the shopper, at most 128 characters (Hania). */
  externalUserId?: string;
  /** Start a fresh conversation even when `threadId` is given (Hania). */
  newConversation?: boolean;
  /** Run the bot in agent mode (Hania). */
  agentMode?: boolean;
  /** Channel the conversation happens on (Hania). @default "api" */
  channel?: 'api' | 'sms' | 'whatsapp';
}

/**
 * The request header proving the caller owns a thread: the `threadToken` the proxy issued with
 * the thread's first reply. Reading or continuing a thread without it answers 404.
 */
export const THREAD_TOKEN_HEADER = 'concierge-thread-token';

/** JSON reply to `POST {endpoint}/messages` when `stream` is false. */
export interface SendMessageResponse {
  threadId: string;
  messageId: string;
  /** Send as the `Concierge-Thread-Token` header to read or continue this thread. */
  threadToken?: string;
  text: string;
  sources: Source[];
  /** Products of the catalog the reply is about, shown as cards. */
  products?: ProductCard[];
  /** The provider's confidence between 0 and 1, when known. */
  confidence?: number;
  /** Up to three questions the shopper may ask next, shown as buttons. */
  suggestions?: string[];
  /** The assistant could not answer: the widget offers "Talk to a person". */
  offerHandoff?: boolean;
  /** Fields of the vendor's reply that the protocol does not model, for debugging. */
  raw?: unknown;
}

export type Role = 'user' | 'assistant';

/** One message of a thread as the proxy stores it. */
export interface ThreadMessage {
  id: string;
  role: Role;
  text: string;
  sources?: Source[];
  /** Products shown as cards with the reply. */
  products?: ProductCard[];
  /** ISO 8601 time the message was created. */
  createdAt: string;
  /** True when the reply was stopped or cut before it finished. */
  interrupted?: boolean;
  /** Questions offered after this reply. */
  suggestions?: string[];
  /** The assistant could not answer this one. */
  offerHandoff?: boolean;
}

/** Body of `POST {endpoint}/feedback`: the shopper's rating of one reply (thread token required). */
export interface FeedbackRequest {
  threadId: string;
  /** The reply's `messageId`. */
  messageId: string;
  rating: 'up' | 'down';
  /** At most 1,000 characters. */
  comment?: string;
}

/** Reply to `POST {endpoint}/feedback`; `duplicate` when the same feedback was already counted. */
export interface FeedbackResponse {
  recorded: true;
  duplicate: boolean;
}

/** Body of `POST {endpoint}/handoff`: the shopper asks for a person (thread token required with `threadId`). */
export interface HandoffRequest {
  /** The conversation to hand over; omit before the first message. */
  threadId?: string;
  /** Where the person answers: a valid address, at most 254 characters. */
  email: string;
  /** At most 2,000 characters. */
  note?: string;
  /** The page the shopper is on (http or https). */
  pageUrl?: string;
}

/** Reply to `POST {endpoint}/handoff`. */
export interface HandoffResponse {
  handoffId: string;
  /** When the store answers, in the store's words, e.g. "within one business day". */
  replyTime: string;
}

/** Reply to `GET {endpoint}/threads/{threadId}`. */
export interface ThreadHistory {
  threadId: string;
  messages: ThreadMessage[];
}

/** One question shoppers ask about a product, with its answer when known. */
export interface ProductFaq {
  /** Positive integer; send it as `faqId` with the exact `question` to ask it in the chat. */
  id: number;
  question: string;
  /** Markdown answer. */
  answer?: string;
  /** Where the answer comes from. */
  sources?: Source[];
}

/** Query of `GET {endpoint}/product-faqs`. */
export interface ProductFaqsRequest {
  /** The product page (http or https). */
  pageUrl: string;
  /** @default "en" */
  locale?: string;
  /** 1–10. @default 5 */
  count?: number;
}

/**
 * Reply of `GET {endpoint}/product-faqs`: `ready` (200), `generating` (202, ask again after
 * `retryAfterSeconds`) or `not_available` (200).
 */
export type ProductFaqsResponse =
  | { status: 'ready'; faqs: ProductFaq[] }
  | { status: 'generating'; retryAfterSeconds: number }
  | { status: 'not_available'; faqs: [] };

/** Stable error codes; the UI explains each in plain words. */
export type ErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'forbidden'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'billing'
  | 'unauthorized'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'upstream_malformed'
  | 'network'
  | 'aborted'
  | 'internal';

/** The error body of every non-2xx response and the data of an `error` event. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** The request field that was rejected, for `invalid_request`. */
    field?: string;
    /** Seconds to wait before trying again, for `rate_limited`. */
    retryAfterSeconds?: number;
    /** Why, for `billing`: `service_suspended`, `plan_limit_reached` or `insufficient_balance`. */
    reason?: string;
  };
}

/**
 * Server-Sent Events of a streamed reply, in order: `start`, `delta`*, `sources`, `products`?, `suggestions`?, `done`.
 * `done` carries the authoritative thread and message ids: when a vendor assigns them only at the
 * end of a new conversation, those of `start` are provisional.
 */
export type StreamEvent =
  | { type: 'start'; threadId: string; messageId: string; threadToken?: string }
  | { type: 'delta'; text: string }
  | { type: 'sources'; sources: Source[] }
  | { type: 'products'; products: ProductCard[] }
  /** Up to three questions the shopper may ask next. */
  | { type: 'suggestions'; suggestions: string[] }
  | {
      type: 'done';
      threadId: string;
      messageId: string;
      threadToken?: string;
      confidence?: number;
      /** The assistant could not answer: offer a person. */
      offerHandoff?: boolean;
      raw?: unknown;
    }
  | { type: 'error'; code: ErrorCode; message: string; retryAfterSeconds?: number; reason?: string };

/** The SSE `event:` names, one per {@link StreamEvent} type. */
export const STREAM_EVENT_TYPES = ['start', 'delta', 'sources', 'products', 'suggestions', 'done', 'error'] as const;

/** Limits every proxy enforces and every client may check before sending. */
export const LIMITS = {
  messageMaxLength: 4000,
  metadataMaxBytes: 4096,
  bodyMaxBytes: 65536,
  /** Longest SSE event (its lines together) a parser buffers, on both sides; longer is refused, never buffered. */
  eventMaxChars: 262144,
} as const;

/**
 * Encodes one stream event as an SSE frame with its `id:`.
 * Event ids are `{messageId}:{sequence}` so a client can resume after the last one it saw.
 */
export function encodeStreamEvent(event: StreamEvent, id: string): string {
  const { type, ...data } = event;
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
