'use client';
import { useThread } from '@concierge/react';
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Message, StreamingMessage } from './message';
import { FollowUps, Starters } from './suggestions';
import type { ConciergeStrings } from './strings';

const VirtualMessages = lazy(() => import('./virtual-messages'));

/** Threads longer than this are virtualized. */
export const VIRTUALIZE_ABOVE = 100;

export interface MessageListProps {
  strings: ConciergeStrings;
  /** Shown as the assistant's first message while the thread is empty; never sent. */
  greeting?: string;
  /** Questions offered in an empty conversation; the page's product FAQs come first; `false` for none. */
  starters?: string[] | false;
  /** Thumbs up and down under each finished reply. @default true */
  feedback?: boolean;
}

/**
 * The transcript as a live log. Re-renders when a message is added, not per streamed token.
 * Long threads are virtualized. A shopper who scrolled up is never pulled down; "Jump to latest"
 * brings them back.
 */
export function MessageList({ strings, greeting, starters, feedback = true }: MessageListProps) {
  const { messages, isBusy, online } = useThread((thread) => ({
    messages: thread.messages,
    isBusy: thread.isBusy,
    online: thread.online,
  }));
  const log = useRef<HTMLDivElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  const atEndRef = useRef(true);
  const virtualScroll = useRef<(() => void) | null>(null);
  const virtual = messages.length > VIRTUALIZE_ABOVE;

  const scrollToEnd = useCallback(() => {
    const element = log.current;
    if (!element) return;
    virtualScroll.current?.();
    // Messages that come into view get their real height (they skip rendering off screen),
    // so the end moves: follow it for a few frames.
    let frames = 0;
    const step = () => {
      element.scrollTop = element.scrollHeight;
      if (++frames < 4 && typeof requestAnimationFrame === 'function') requestAnimationFrame(step);
    };
    step();
  }, []);

  const onScroll = () => {
    const element = log.current;
    if (!element) return;
    const next = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    atEndRef.current = next;
    setAtEnd(next);
  };

  // A new message (or the start of a reply) scrolls into view only for a shopper at the end,
  // or when the shopper sent it.
  const last = messages.at(-1);
  useLayoutEffect(() => {
    if (atEndRef.current || last?.role === 'user') scrollToEnd();
  }, [messages.length, isBusy, last?.role, scrollToEnd]);

  const onVirtualReady = useCallback(
    (scroll: () => void) => {
      virtualScroll.current = scroll;
      if (atEndRef.current) scroll();
    },
    [],
  );

  useEffect(() => {
    if (!virtual) virtualScroll.current = null;
  }, [virtual]);

  return (
    <>
      <div ref={log} className="concierge-log" role="log" aria-label={strings.title} aria-busy={isBusy} tabIndex={0} onScroll={onScroll}>
        {greeting && !messages.length && (
          <Message message={{ id: 'greeting', role: 'assistant', text: greeting, createdAt: '' }} strings={strings} />
        )}
        {virtual ? (
          <Suspense
            fallback={messages.slice(-20).map((message) => (
              <Message key={message.id} message={message} strings={strings} offline={!online} actions={feedback} />
            ))}
          >
            <VirtualMessages messages={messages} strings={strings} offline={!online} actions={feedback} scrollRef={log} onReady={onVirtualReady} />
          </Suspense>
        ) : (
          messages.map((message) => <Message key={message.id} message={message} strings={strings} offline={!online} actions={feedback} />)
        )}
        <StreamingMessage strings={strings} />
        {messages.length ? <FollowUps strings={strings} /> : <Starters starters={starters} strings={strings} />}
      </div>
      {!atEnd && (messages.length > 0 || isBusy) && (
        <button type="button" className="concierge-jump" onClick={scrollToEnd}>
          {strings.jumpToLatest}
        </button>
      )}
    </>
  );
}
