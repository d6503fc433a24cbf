'use client';
import type { ChatMessage } from '@concierge/core';
import { useStream } from '@concierge/react';
import { memo, useLayoutEffect, useRef } from 'react';
import { Feedback } from './feedback';
import { HandoffButton } from './handoff';
import { Markdown } from './markdown';
import { ProductCards } from './product-cards';
import { Sources } from './sources';
import type { ConciergeStrings } from './strings';

export interface MessageProps {
  message: ChatMessage;
  strings: ConciergeStrings;
  /** The device is offline: a queued turn says it waits for the connection. */
  offline?: boolean;
  /** Thumbs up and down under a finished reply. Needs a `<ConciergeProvider>`. */
  actions?: boolean;
}

/** The message's time in the shopper's language (Intl), e.g. "3:04 PM" or "15:04". */
function formatTime(iso: string, locale: string): string {
  return new Date(iso).toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
}

/** `data-status` keeps its documented values: a turn failed or queued, a reply interrupted. */
const SHOWN_STATUS: Record<string, string> = {
  'user:failed': 'failed',
  'user:queued': 'queued',
  'assistant:interrupted': 'interrupted',
};

/** One finished message. Memoized: a streaming reply never re-renders it. */
export const Message = memo(function Message({ message, strings, offline, actions }: MessageProps) {
  const isUser = message.role === 'user';
  return (
    <article
      className="concierge-message"
      data-role={message.role}
      data-status={SHOWN_STATUS[`${message.role}:${message.status}`]}
      data-turn={isUser ? message.status : undefined}
      aria-label={isUser ? strings.you : strings.assistant}
    >
      <div className="concierge-bubble">
        {isUser ? <p className="concierge-user-text">{message.text}</p> : <Markdown text={message.text} />}
      </div>
      {message.createdAt && (
        <time className="concierge-message-time" dateTime={message.createdAt}>
          {formatTime(message.createdAt, strings.locale)}
        </time>
      )}
      {message.status === 'failed' && <span className="concierge-message-status">{strings.notSent}</span>}
      {message.status === 'queued' && offline && <span className="concierge-message-status">{strings.queued}</span>}
      {message.status === 'interrupted' && !isUser && <span className="concierge-message-status">{strings.interrupted}</span>}
      {!isUser && message.sources && <Sources sources={message.sources} label={strings.sources} />}
      {!isUser && message.products && <ProductCards products={message.products} strings={strings} />}
      {!isUser && message.offerHandoff && <HandoffButton strings={strings} />}
      {actions && !isUser && message.status !== 'interrupted' && <Feedback message={message} strings={strings} />}
    </article>
  );
});

/** The reply in progress: a typing indicator until the first token, then the text as it arrives. */
export function StreamingMessage({ strings }: { strings: ConciergeStrings }) {
  const { text, sources, status } = useStream();
  const article = useRef<HTMLElement>(null);

  // Follow the reply as it grows, unless the shopper scrolled up to read something else.
  useLayoutEffect(() => {
    const log = article.current?.closest<HTMLElement>('.concierge-log');
    if (!log) return;
    const below = log.scrollHeight - log.scrollTop - log.clientHeight;
    if (below < 160) log.scrollTop = log.scrollHeight;
  }, [text]);

  if (status !== 'submitted' && status !== 'streaming') return null;
  return (
    <article
      ref={article}
      className="concierge-message"
      data-role="assistant"
      data-status="streaming"
      aria-label={strings.assistant}
    >
      <div className="concierge-bubble">
        {text ? (
          <Markdown text={text} />
        ) : (
          <span className="concierge-typing" role="status" aria-label={strings.typing}>
            <span />
            <span />
            <span />
          </span>
        )}
      </div>
      <Sources sources={sources} label={strings.sources} />
    </article>
  );
}
