'use client';
import { useThread } from '@concierge/react';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { AskDetail } from './ask';
import type { ConciergeEvent } from './events';
import { Composer } from './composer';
import { ErrorNotice } from './error-notice';
import { HandoffButton, HandoffContext, HandoffForm } from './handoff';
import { MessageList } from './message-list';
import { defaultStrings, type ConciergeStrings } from './strings';

export interface ChatWindowProps {
  /** Whether the window is shown; it stays mounted while hidden so a reply keeps streaming. */
  open?: boolean;
  /** Called by Escape and the close button. */
  onClose?: () => void;
  strings?: ConciergeStrings;
  greeting?: string;
  /** Messages from the page to send, in order: each one once, as the list grows (`concierge.send`). */
  asks?: readonly AskDetail[];
  /** Starts a new conversation each time it grows (`concierge.reset()`). */
  resetRequest?: number;
  /** What happens in the conversation: messages sent, replies finished, errors. */
  onEvent?: (event: ConciergeEvent) => void;
  /** Questions offered in an empty conversation; the page's product FAQs come first; `false` for none. */
  starters?: string[] | false;
  /** Thumbs up and down under each finished reply. @default true */
  feedback?: boolean;
  /**
   * Offers "Talk to a person" (in the footer, and under replies the assistant could not give).
   * Turn on when the proxy has `onHandoff` or a webhook. @default false
   */
  handoff?: boolean;
}

/**
 * The chat dialog: header, transcript, error line and composer. Must be inside a
 * `<ConciergeProvider>`. Escape closes it; the composer takes focus when it opens.
 */
export function ChatWindow({
  open = true,
  onClose,
  strings = defaultStrings,
  greeting,
  asks,
  resetRequest = 0,
  onEvent,
  starters,
  feedback,
  handoff = false,
}: ChatWindowProps) {
  const titleId = useId();
  const input = useRef<HTMLTextAreaElement>(null);
  // The form is shown over the conversation, which stays mounted: a draft in the composer is kept.
  const [handingOff, setHandingOff] = useState(false);
  const endHandoff = () => {
    setHandingOff(false);
    requestAnimationFrame(() => input.current?.focus());
  };

  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && onClose) {
      event.stopPropagation();
      onClose();
    }
  };

  return (
    <section
      className="concierge-window"
      role="dialog"
      aria-labelledby={titleId}
      data-state={open ? 'open' : 'closed'}
      hidden={!open}
      onKeyDown={onKeyDown}
    >
      <header className="concierge-header">
        <h2 id={titleId} className="concierge-title">
          {strings.title}
        </h2>
        <NewConversation strings={strings} />
        {onClose && (
          <button type="button" className="concierge-icon-button" aria-label={strings.closeChat} onClick={onClose}>
            <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
              <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        )}
      </header>
      <AskRunner asks={asks} />
      <ResetRunner request={resetRequest} />
      {onEvent && <EventWatcher onEvent={onEvent} />}
      <HandoffContext.Provider value={handoff ? () => setHandingOff(true) : null}>
        {handingOff && <HandoffForm strings={strings} onDone={endHandoff} />}
        <div className="concierge-conversation" hidden={handingOff}>
          <MessageList strings={strings} greeting={greeting} starters={starters} feedback={feedback} />
          <ErrorNotice strings={strings} />
          <Composer ref={input} strings={strings} />
          {handoff && (
            <div className="concierge-footer">
              <HandoffButton strings={strings} />
            </div>
          )}
        </div>
      </HandoffContext.Provider>
    </section>
  );
}

/** Starts over: the next message opens a new conversation with the vendor. */
function NewConversation({ strings }: { strings: ConciergeStrings }) {
  const { empty, reset } = useThread((thread) => ({ empty: !thread.messages.length, reset: thread.reset }));
  if (empty) return null;
  return (
    <button type="button" className="concierge-text-button" onClick={reset}>
      {strings.newConversation}
    </button>
  );
}

/**
 * Reports what happens in the conversation from here on: messages the shopper sends, replies that
 * finish, errors shown. A restored or reloaded transcript is not news.
 */
function EventWatcher({ onEvent }: { onEvent: (event: ConciergeEvent) => void }) {
  const { messages, error, threadId } = useThread((thread) => ({ messages: thread.messages, error: thread.error, threadId: thread.threadId }));
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    const known = seen.current;
    seen.current = new Set(messages.map((message) => message.id));
    if (!known) return;
    for (const message of messages) {
      if (known.has(message.id)) continue;
      if (message.role === 'user') onEvent({ type: 'message_sent', turnId: message.id, text: message.text });
      else if (message.status !== 'interrupted') {
        onEvent({ type: 'reply_finished', messageId: message.id, threadId, sources: message.sources?.length ?? 0, products: message.products?.length ?? 0 });
      }
    }
    // The callback of the render where the messages changed is the current one.
  }, [messages]);
  useEffect(() => {
    if (error) onEvent({ type: 'error', code: error.code, message: error.message });
  }, [error]);
  return null;
}

/** Starts a new conversation when code on the page asks for one. */
function ResetRunner({ request }: { request: number }) {
  const reset = useThread((thread) => thread.reset);
  useEffect(() => {
    if (request) reset();
    // Only a new request resets; the action is stable.
  }, [request]);
  return null;
}

/** Sends what another part of the page asked for (e.g. an FAQ's "Ask a follow-up"), each once. */
function AskRunner({ asks = [] }: { asks?: readonly AskDetail[] }) {
  const { send, stop } = useThread((thread) => ({ send: thread.send, stop: thread.stop }));
  const sent = useRef(0);
  useEffect(() => {
    if (asks.length <= sent.current) return;
    // The reply in progress is kept as interrupted, before the questions; those asked together
    // (two `concierge.send` in a row) are all sent and answered in turn.
    stop();
    for (const ask of asks.slice(sent.current)) send(ask.message, ask.fields).catch(() => {});
    sent.current = asks.length;
    // Only new questions send; the actions are stable.
  }, [asks]);
  return null;
}
