'use client';
import { LIMITS } from '@concierge/core';
import { useThread } from '@concierge/react';
import { forwardRef, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ConciergeStrings } from './strings';
import { useCountdown } from './use-countdown';

export interface ComposerProps {
  strings: ConciergeStrings;
  /** Keeps an unsent draft in sessionStorage under this key across reloads; `null` turns it off. @default "concierge:draft" */
  draftKey?: string | null;
}

/**
 * A labelled textarea with Send (Stop while a reply streams). Enter sends, Shift+Enter adds a
 * line. The text is cleared only once it was accepted for sending, so nothing typed is lost.
 */
export const Composer = forwardRef<HTMLTextAreaElement, ComposerProps>(function Composer(
  { strings, draftKey = 'concierge:draft' },
  ref,
) {
  // Only what the composer shows: a message added to the thread does not re-render it.
  const { send, stop, isBusy, limitedUntil } = useThread((thread) => ({
    send: thread.send,
    stop: thread.stop,
    isBusy: thread.isBusy,
    limitedUntil: thread.error?.code === 'rate_limited' ? thread.retryAt : null,
  }));
  const waiting = useCountdown(limitedUntil) > 0;
  const [text, setText] = useState('');
  // What is in the box right now, even before React re-renders: a second Enter in the same
  // frame finds it empty and sends nothing.
  const current = useRef(text);
  current.current = text;
  const [hint, setHint] = useState('');
  const id = useId();

  // Restored after mount, so the server-rendered and first client render agree. Storage may be
  // denied (private mode): the draft then lives as long as the page.
  useEffect(() => {
    try {
      const draft = draftKey && sessionStorage.getItem(draftKey);
      if (draft) setText((current) => current || draft);
    } catch {}
  }, [draftKey]);
  useEffect(() => {
    try {
      if (draftKey) text ? sessionStorage.setItem(draftKey, text) : sessionStorage.removeItem(draftKey);
    } catch {}
  }, [draftKey, text]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (isBusy) return setHint(strings.waitForReply);
    if (waiting) return;
    const message = current.current.trim();
    if (!message) return text.trim() ? undefined : setHint(strings.emptyMessage);
    if (message.length > LIMITS.messageMaxLength) return setHint(strings.tooLong(LIMITS.messageMaxLength));
    setHint('');
    setText('');
    current.current = '';
    send(message).catch(() => {});
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  return (
    <form className="concierge-composer" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-input`} className="concierge-visually-hidden">
        {strings.messageLabel}
      </label>
      <textarea
        ref={ref}
        id={`${id}-input`}
        className="concierge-input"
        rows={1}
        value={text}
        placeholder={strings.placeholder}
        aria-describedby={hint ? `${id}-hint` : undefined}
        aria-invalid={hint ? true : undefined}
        onChange={(event) => {
          setText(event.target.value);
          if (hint) setHint('');
        }}
        onKeyDown={onKeyDown}
      />
      {isBusy ? (
        <button type="button" className="concierge-button" onClick={stop}>
          {strings.stop}
        </button>
      ) : (
        <button type="submit" className="concierge-button" disabled={waiting}>
          {strings.send}
        </button>
      )}
      <p id={`${id}-hint`} className="concierge-hint" aria-live="polite">
        {hint}
      </p>
    </form>
  );
});
