'use client';
import { ConciergeProvider, type ConciergeProviderProps } from '@concierge/react';
import type { ProductCard } from '@concierge/core';
import { ChatWindow, type ChatWindowProps } from './chat-window';
import type { MessageContext } from '@concierge/core';
import { useRef, useState, type RefObject } from 'react';
import { type ConciergeEvent, deliver, EventsContext, type WidgetCallbacks } from './events';
import { AddToCartContext } from './product-cards';
import { defaultStrings, type ConciergeStrings } from './strings';

export type ChatPanelProps = Omit<ConciergeProviderProps, 'children'> &
  Omit<ChatWindowProps, 'strings'> & {
    /** Overrides some or all of the English strings. */
    strings?: Partial<ConciergeStrings>;
    /** Shows "Add to cart" on the product cards of replies, and is called with the product. */
    onAddToCart?: (product: ProductCard) => void;
    /** The widget's callbacks, called with the window's events (after `onEvent`). */
    callbacks?: WidgetCallbacks;
    /** Fields set from code (`concierge.setContext`), sent over the page's URL and language. */
    extraContext?: RefObject<MessageContext>;
  };

/** Sends the current page URL and the shopper's language with every message. */
function pageContext(language?: string): MessageContext {
  const context: MessageContext = {};
  if (/^https?:/.test(location.href)) context.pageUrl = location.href;
  const locale = language || document.documentElement.lang || navigator.language;
  if (locale) context.locale = locale;
  return context;
}

/**
 * A provider and its chat window in one piece; the widget loads it lazily on first open. Without a
 * `context`, every message carries the page's URL and the shopper's language.
 */
export default function ChatPanel({
  open,
  onClose,
  strings,
  greeting,
  asks,
  resetRequest,
  onEvent,
  onAddToCart,
  starters,
  feedback,
  handoff,
  callbacks,
  extraContext,
  context,
  ...provider
}: ChatPanelProps) {
  // Stable, so the parts that report events do not re-render when the widget does.
  const latest = useRef({ onEvent, callbacks });
  latest.current = { onEvent, callbacks };
  const [emit] = useState(() => (event: ConciergeEvent) => {
    latest.current.onEvent?.(event);
    if (latest.current.callbacks) deliver(latest.current.callbacks, event);
  });
  return (
    <EventsContext.Provider value={emit}>
      <AddToCartContext.Provider value={onAddToCart}>
        <ConciergeProvider
          {...provider}
          context={() => ({
            ...(typeof context === 'function' ? context() : (context ?? pageContext(strings?.locale))),
            ...extraContext?.current,
          })}
        >
          <ChatWindow
            open={open}
            onClose={onClose}
            strings={{ ...defaultStrings, ...strings }}
            greeting={greeting}
            asks={asks}
            resetRequest={resetRequest}
            onEvent={emit}
            starters={starters}
            feedback={feedback}
            handoff={handoff}
          />
        </ConciergeProvider>
      </AddToCartContext.Provider>
    </EventsContext.Provider>
  );
}

