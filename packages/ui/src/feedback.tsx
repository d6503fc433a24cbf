'use client';
import type { ChatMessage } from '@concierge/core';
import { useThread } from '@concierge/react';
import { useContext, useId, useRef, useState, type FormEvent } from 'react';
import { EventsContext } from './events';
import type { ConciergeStrings } from './strings';

const THUMB = 'M7 10v11H3V10h4zm2 11h8.3a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 18.7 10H14l.7-3.6a1.6 1.6 0 0 0-2.9-1.2L9 10v11z';

/**
 * Thumbs up or down on a finished reply; down then offers an optional comment. The choice shows
 * as pressed once the proxy recorded it; a failure says so and keeps the comment.
 */
export function Feedback({ message, strings }: { message: ChatMessage; strings: ConciergeStrings }) {
  const send = useThread((thread) => thread.feedback);
  const emit = useContext(EventsContext);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState('');
  const id = useId();
  const down = useRef<HTMLButtonElement>(null);
  const given = message.feedback?.rating;

  // A thumbs down counts at once; the comment, when the shopper writes one, follows it.
  const rate = async (rating: 'up' | 'down', text?: string) => {
    // Ignored rather than disabled while one is out: a disabled button would drop the keyboard focus.
    if (busy) return;
    setBusy(true);
    setFailed(false);
    try {
      await send(message.id, rating, text);
      setCommenting(rating === 'down' && text === undefined);
      // The comment form goes once sent: the keyboard focus returns to the thumb, not the page.
      if (text !== undefined) down.current?.focus();
      emit({ type: 'feedback', messageId: message.id, rating, ...(text?.trim() ? { comment: text.trim() } : {}) });
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void rate('down', comment);
  };

  return (
    <div className="concierge-feedback">
      <button type="button" className="concierge-thumb" aria-label={strings.helpful} aria-pressed={given === 'up'} aria-disabled={busy} onClick={() => void rate('up')}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16">
          <path d={THUMB} fill="currentColor" />
        </svg>
      </button>
      <button
        ref={down}
        type="button"
        className="concierge-thumb"
        data-down=""
        aria-label={strings.notHelpful}
        aria-pressed={given === 'down'}
        aria-expanded={commenting}
        aria-controls={commenting ? id : undefined}
        aria-disabled={busy}
        onClick={() => (commenting ? setCommenting(false) : void rate('down'))}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16">
          <path d={THUMB} fill="currentColor" transform="rotate(180 12 12)" />
        </svg>
      </button>
      {commenting && (
        <form id={id} className="concierge-feedback-form" onSubmit={onSubmit}>
          <label>
            {strings.feedbackComment}
            <textarea value={comment} maxLength={1000} rows={2} onChange={(event) => setComment(event.target.value)} autoFocus />
          </label>
          <button type="submit" className="concierge-text-button" aria-disabled={busy}>
            {strings.sendFeedback}
          </button>
        </form>
      )}
      <span role="status" className="concierge-feedback-status">
        {failed ? strings.notSentRetry : given && !commenting ? strings.feedbackThanks : ''}
      </span>
    </div>
  );
}
