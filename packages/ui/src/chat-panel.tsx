'use client';
import { ConciergeProvider, type ConciergeProviderProps } from '@concierge/react';
import type { ProductCard } from '@concierge/core';
import { ChatWindow, type ChatWindowProps } from './chat-window';
import { AddToCartContext } from './product-cards';

export type ChatPanelProps = Omit<ConciergeProviderProps, 'children'> &
  ChatWindowProps & {
    /** Shows "Add to cart" on the product cards of replies, and is called with the product. */
    onAddToCart?: (product: ProductCard) => void;
  };

/** A provider and its chat window in one piece; the widget loads it lazily on first open. */
export default function ChatPanel({
  open,
  onClose,
  strings,
  greeting,
  ask,
  resetRequest,
  onEvent,
  onAddToCart,
  starters,
  feedback,
  handoff,
  ...provider
}: ChatPanelProps) {
  return (
    <AddToCartContext.Provider value={onAddToCart}>
      <ConciergeProvider {...provider}>
        <ChatWindow
          open={open}
          onClose={onClose}
          strings={strings}
          greeting={greeting}
          ask={ask}
          resetRequest={resetRequest}
          onEvent={onEvent}
          starters={starters}
          feedback={feedback}
          handoff={handoff}
        />
      </ConciergeProvider>
    </AddToCartContext.Provider>
  );
}
