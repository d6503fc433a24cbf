'use client';
import { useThread } from '@concierge/react';
import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import type { AskDetail } from './ask';
import { Composer } from './composer';
import { ErrorNotice } from './error-notice';
import { MessageList } from './message-list';
import { defaultStrings, type ConciergeStrings } from './strings';

export interface ChatWindowProps {
  /** Whether the window is shown; it stays mounted while hidden so a reply keeps streaming. */
  open?: boolean;
  /** Called by Escape and the close button. */
  onClose?: () => void;
  strings?: ConciergeStrings;
  greeting?: string;
  /** A message to send as soon as the window is ready (a new object sends again). */
  ask?: AskDetail | null;
  /** Starts a new conversation each time it grows (`concierge.reset()`). */
  resetRequest?: number;
  /** Called when a reply finishes (the widget counts those the shopper has not seen). */
  onReplyFinished?: () => void;
}

/**
 * The chat dialog: header, transcript, error line and composer. Must be inside a
 * `<ConciergeProvider>`. Escape closes it; the composer takes focus when it opens.
 */
export function ChatWindow({ open = true, onClose, strings = defaultStrings, greeting, ask, resetRequest = 0, onReplyFinished }: ChatWindowProps) {
  const titleId = useId();
  const input = useRef<HTMLTextAreaElement>(null);

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
      <AskRunner ask={ask ?? null} />
      <ResetRunner request={resetRequest} />
      {onReplyFinished && <ReplyWatcher onFinished={onReplyFinished} />}
      <MessageList strings={strings} greeting={greeting} />
      <ErrorNotice strings={strings} />
      <Composer ref={input} strings={strings} />
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

/** Tells when a reply finishes here: a new, complete assistant message at the end. */
function ReplyWatcher({ onFinished }: { onFinished: () => void }) {
  const last = useThread((thread) => {
    const message = thread.messages.at(-1);
    return message?.role === 'assistant' && message.status !== 'interrupted' ? message.id : null;
  });
  const seen = useRef(last);
  useEffect(() => {
    // A restored or reloaded transcript is not news; only a reply that arrives after is.
    if (last && last !== seen.current) onFinished();
    seen.current = last;
    // The callback of the render where `last` changed is the current one.
  }, [last]);
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

/** Sends what another part of the page asked for (e.g. an FAQ's "Ask a follow-up"). */
function AskRunner({ ask }: { ask: AskDetail | null }) {
  const { send, stop } = useThread((thread) => ({ send: thread.send, stop: thread.stop }));
  useEffect(() => {
    if (!ask) return;
    // The reply in progress is kept as interrupted, before the question.
    stop();
    send(ask.message, ask.fields).catch(() => {});
    // Only a new request sends; the actions are stable.
  }, [ask]);
  return null;
}
