'use client';
import { LIMITS } from '@concierge/core';
import { useThread } from '@concierge/react';
import { forwardRef, useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
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
  const { send, stop, isBusy, retryAt } = useThread();
  const waiting = useCountdown(retryAt) > 0;
  const [text, setText] = useState('');
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
    const message = text.trim();
    if (!message) return setHint(strings.emptyMessage);
    if (message.length > LIMITS.messageMaxLength) return setHint(strings.tooLong(LIMITS.messageMaxLength));
    setHint('');
    setText('');
    void send(message);
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
