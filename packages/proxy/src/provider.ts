import type {
  ProductCard,
  ProductFaqsResponse,
  SendMessageRequest,
  Source,
  ThreadHistory,
  ThreadMessage,
} from '@concierge/core';

/** What a provider is asked to answer. */
export interface ProviderRequest
  extends Pick<SendMessageRequest, 'faqId' | 'externalUserId' | 'newConversation' | 'agentMode' | 'channel'> {
  message: string;
  /** The thread to continue; `undefined` starts a new one. */
  threadId: string | undefined;
  /** Earlier messages of the thread, oldest first. */
  history: ThreadMessage[];
  /**
   * Where the conversation stands, as the provider left it on the thread's last reply (a
   * `state` event): `{}` for a new thread. The handler always sets it; a provider called
   * directly may get none, which means `{}`.
   */
  state?: ConversationState;
  locale?: string;
  pageUrl?: string;
  metadata?: Record<string, string | number | boolean | null>;
  /** The store's order lookup, when it passed one to the proxy. */
  orders?: OrderLookup;
  signal: AbortSignal;
}

/**
 * What the proxy keeps of a thread between turns besides its transcript: a JSON object (plain
 * data: strings, numbers, booleans, null, arrays, objects) stored beside the transcript under
 * `thread-state:{threadId}`, with the transcript's TTL, so it holds across instances and restarts.
 * It never reaches the browser. A provider reads it in {@link ProviderRequest.state} and replaces it
 * by yielding `{ type: 'state', state }` before `done`; one that never yields it leaves it as it is.
 *
 * Each part of a provider keeps its own key and leaves the others as they are:
 * - `order`: the local provider's order-status flow, what it is waiting for and the order number
 *   and email given so far (`OrderFlowState` in `local/order-status.ts`);
 * - `product`: the product the conversation is about (the local provider's catalog follow-ups).
 */
export type ConversationState = Record<string, unknown>;

/** An order as the store's lookup returns it. */
export interface OrderRecord {
  orderNumber: string;
  /** The email the order was placed with: an order is shown only when it matches the one given. */
  email: string;
  /** e.g. "processing", "shipped", "delivered", "cancelled". */
  status: string;
  placedAt?: string;
  carrier?: string;
  trackingUrl?: string;
  /** When it is expected, in words or as a date. */
  estimatedDelivery?: string;
  items?: { name: string; quantity: number }[];
}

/**
 * The store's order lookup (`orders` on the handler). Given both the order number and the
 * email, it returns the order, or `undefined` when there is none.
 *
 * @example
 * createConciergeHandler({ provider, orders: { lookup: ({ orderNumber, email }) => db.order(orderNumber, email) } })
 */
export interface OrderLookup {
  lookup(query: { orderNumber: string; email: string }, signal: AbortSignal): Promise<OrderRecord | undefined>;
}

/** What a provider yields while answering, in order: `delta`*, `sources`, `products`?, `suggestions`?, `state`?, `done`. */
export type ProviderEvent =
  | { type: 'delta'; text: string }
  | { type: 'sources'; sources: Source[] }
  /** Products of the store's catalog the reply is about, shown as cards. */
  | { type: 'products'; products: ProductCard[] }
  /** Up to three questions the shopper may ask next (more are dropped). */
  | { type: 'suggestions'; suggestions: string[] }
  /**
   * Replaces the thread's {@link ConversationState} (the whole object: keep the keys you do not
   * own). Saved when the reply completes, under the thread id the reply gets; a reply that is cut
   * off or fails saves none. Never sent to the browser.
   */
  | { type: 'state'; state: ConversationState }
  | {
      type: 'done';
      confidence?: number;
      /** The provider could not answer: the widget offers a person. @default confidence below 0.3 */
      offerHandoff?: boolean;
      /** The vendor's own thread id; the proxy's provisional id is used when absent. */
      threadId?: string;
      messageId?: string;
      /** Fields of the vendor's reply the protocol does not model. */
      raw?: unknown;
    };

/** One answering backend behind the proxy (the local knowledge base, a vendor, a model). */
export interface Provider {
  readonly name: string;
  reply(request: ProviderRequest): AsyncIterable<ProviderEvent>;
  /**
   * A thread's history from the vendor itself. Providers without it have the proxy keep
   * transcripts in its store.
   */
  history?(threadId: string, signal: AbortSignal): Promise<ThreadHistory | undefined>;
  /** Product FAQs for a page, when the provider has them. */
  productFaqs?: ProductFaqsSource;
}

/** Checked query of the product-FAQs route. */
export interface ProductFaqsQuery {
  pageUrl: string;
  locale: string;
  count: number;
  signal: AbortSignal;
}

/** Where product FAQs come from: a vendor, the local generator, or nowhere. */
export type ProductFaqsSource = (query: ProductFaqsQuery) => Promise<ProductFaqsResponse>;
