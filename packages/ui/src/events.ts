import type { ErrorCode, ProductCard } from '@concierge/core';
import { createContext } from 'react';

/**
 * What happens in the widget, for analytics and the store's own code (`onEvent`, and one
 * callback per type on `<ConciergeWidget>`). Payloads carry no secrets: no thread token, no key.
 */
export type ConciergeEvent =
  | { type: 'open' }
  | { type: 'close' }
  /** The shopper sent a message (a turn: its id is its Idempotency-Key). */
  | { type: 'message_sent'; turnId: string; text: string }
  /** A reply finished, with how many sources and product cards came with it. */
  | { type: 'reply_finished'; messageId: string; threadId: string | null; sources: number; products: number }
  /** The conversation shows an error (its code is one of the protocol's). */
  | { type: 'error'; code: ErrorCode; message: string }
  | { type: 'product_click'; product: ProductCard }
  | { type: 'add_to_cart'; product: ProductCard }
  /** The proxy recorded the shopper's rating of a reply. */
  | { type: 'feedback'; messageId: string; rating: 'up' | 'down'; comment?: string }
  /** The shopper asked for a person and the proxy passed it on (their email is not in the event). */
  | { type: 'handoff'; handoffId: string; threadId: string | null; replyTime: string }
  /** A nudge was shown by the launcher, clicked (opening the chat) or dismissed. */
  | { type: 'nudge'; action: 'shown' | 'clicked' | 'dismissed'; text: string };

/** Where the parts of the chat window report events; the widget turns them into callbacks. */
export const EventsContext = createContext<(event: ConciergeEvent) => void>(() => {});

/** The widget's callbacks, one per event type, and `onEvent` for all of them (functions: pass them from a client component). */
export interface WidgetCallbacks {
  /** Every event below, in one stream, for analytics. */
  onEvent?: (event: ConciergeEvent) => void;
  onOpen?: () => void;
  onClose?: () => void;
  onMessageSent?: (event: Extract<ConciergeEvent, { type: 'message_sent' }>) => void;
  onReplyFinished?: (event: Extract<ConciergeEvent, { type: 'reply_finished' }>) => void;
  onError?: (event: Extract<ConciergeEvent, { type: 'error' }>) => void;
  onProductClick?: (product: ProductCard) => void;
  /** The proxy recorded a shopper's thumbs up or down (and comment). */
  onFeedback?: (event: Extract<ConciergeEvent, { type: 'feedback' }>) => void;
  /** A shopper asked for a person and the proxy passed it on. */
  onHandoff?: (event: Extract<ConciergeEvent, { type: 'handoff' }>) => void;
}

/** Calls the callback for an event's type, then `onEvent`. */
export function deliver(callbacks: WidgetCallbacks, event: ConciergeEvent): void {
  if (event.type === 'message_sent') callbacks.onMessageSent?.(event);
  else if (event.type === 'reply_finished') callbacks.onReplyFinished?.(event);
  else if (event.type === 'error') callbacks.onError?.(event);
  else if (event.type === 'product_click') callbacks.onProductClick?.(event.product);
  else if (event.type === 'feedback') callbacks.onFeedback?.(event);
  else if (event.type === 'handoff') callbacks.onHandoff?.(event);
  callbacks.onEvent?.(event);
}
