'use client';
import { useThread } from '@concierge/react';
import { useEffect, useRef } from 'react';
import { Message, StreamingMessage } from './message';
import type { ConciergeStrings } from './strings';

export interface MessageListProps {
  strings: ConciergeStrings;
  /** Shown as the assistant's first message while the thread is empty; never sent. */
  greeting?: string;
}

/** The transcript as a live log. Re-renders when a message is added, not per streamed token. */
export function MessageList({ strings, greeting }: MessageListProps) {
  const { messages, isBusy } = useThread();
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, isBusy]);

  return (
    <div className="concierge-log" role="log" aria-label={strings.title} aria-busy={isBusy} tabIndex={0}>
      {greeting && !messages.length && (
        <Message message={{ id: 'greeting', role: 'assistant', text: greeting, createdAt: '' }} strings={strings} />
      )}
      {messages.map((message) => (
        <Message key={message.id} message={message} strings={strings} />
      ))}
      <StreamingMessage strings={strings} />
      <div ref={end} />
    </div>
  );
}
