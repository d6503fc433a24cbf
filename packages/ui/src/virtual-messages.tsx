'use client';
import type { ChatMessage } from '@concierge/core';
import { forwardRef, useEffect, useRef, type CSSProperties, type ReactNode, type RefObject } from 'react';
import { Virtualizer, type VirtualizerHandle } from 'virtua';
import { Message } from './message';
import type { ConciergeStrings } from './strings';

export interface VirtualMessagesProps {
  messages: ChatMessage[];
  strings: ConciergeStrings;
  offline?: boolean;
  /** Feedback and handoff under replies. */
  actions?: boolean;
  /** The scrolling log the list lives in. */
  scrollRef: RefObject<HTMLDivElement | null>;
  /** Called with a function that scrolls to the newest message. */
  onReady?: (scrollToEnd: () => void) => void;
}

const Item = forwardRef<HTMLDivElement, { style?: CSSProperties; children?: ReactNode }>(function Item({ style, children }, ref) {
  return (
    <div ref={ref} style={style} className="concierge-virtual-item">
      {children}
    </div>
  );
});

/** Long threads: only the messages near the viewport are in the DOM (virtua). Loaded lazily. */
export default function VirtualMessages({ messages, strings, offline, actions, scrollRef, onReady }: VirtualMessagesProps) {
  const handle = useRef<VirtualizerHandle>(null);
  useEffect(() => {
    onReady?.(() => handle.current?.scrollToIndex(messages.length - 1, { align: 'end' }));
  }, [messages.length, onReady]);
  return (
    <Virtualizer ref={handle} scrollRef={scrollRef} item={Item}>
      {messages.map((message) => (
        <Message key={message.id} message={message} strings={strings} offline={offline} actions={actions} />
      ))}
    </Virtualizer>
  );
}
