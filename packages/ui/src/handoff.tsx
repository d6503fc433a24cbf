'use client';
import type { HandoffResponse } from '@concierge/core';
import { useThread } from '@concierge/react';
import { createContext, useContext, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { EventsContext } from './events';
import type { ConciergeStrings } from './strings';

/** Opens the "Talk to a person" form; `null` when the store has not turned handoff on. */
export const HandoffContext = createContext<(() => void) | null>(null);

/** The same check as the proxy's, so most typos are caught before a request. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** "Talk to a person", under a reply the assistant could not give or in the window's footer. */
export function HandoffButton({ strings }: { strings: ConciergeStrings }) {
  const open = useContext(HandoffContext);
  if (!open) return null;
  return (
    <button type="button" className="concierge-link-button" onClick={open}>
      {strings.talkToPerson}
    </button>
  );
}

/**
 * The shopper leaves an email (checked) and a note; the proxy passes them, with the thread, to the
 * store. Then a confirmation with the store's reply time. Nothing typed is lost on a failure.
 */
export function HandoffForm({ strings, onDone }: { strings: ConciergeStrings; onDone: () => void }) {
  const { handoff, threadId } = useThread((thread) => ({ handoff: thread.handoff, threadId: thread.threadId }));
  const emit = useContext(EventsContext);
  const [email, setEmail] = useState('');
  const [note, setNote] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [sent, setSent] = useState<HandoffResponse | null>(null);
  const id = useId();
  const emailInput = useRef<HTMLInputElement>(null);
  const back = useRef<HTMLButtonElement>(null);

  useEffect(() => emailInput.current?.focus(), []);
  useEffect(() => {
    if (sent) back.current?.focus();
  }, [sent]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (!EMAIL.test(email.trim())) {
      setInvalid(true);
      emailInput.current?.focus();
      return;
    }
    setBusy(true);
    setFailed(false);
    try {
      const response = await handoff({ email, note });
      setSent(response);
      emit({ type: 'handoff', handoffId: response.handoffId, threadId, replyTime: response.replyTime });
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="concierge-handoff" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="concierge-handoff-title">
        {strings.talkToPerson}
      </h3>
      {sent ? (
        <>
          <p role="status">{strings.handoffSent(email.trim(), sent.replyTime)}</p>
          <button ref={back} type="button" className="concierge-text-button" onClick={onDone}>
            {strings.backToChat}
          </button>
        </>
      ) : (
        <form noValidate onSubmit={onSubmit}>
          <p>{strings.handoffIntro}</p>
          <label htmlFor={`${id}-email`}>{strings.email}</label>
          <input
            ref={emailInput}
            id={`${id}-email`}
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            value={email}
            aria-invalid={invalid}
            aria-describedby={invalid ? `${id}-error` : undefined}
            onChange={(event) => {
              setEmail(event.target.value);
              setInvalid(false);
            }}
          />
          {invalid && (
            <p id={`${id}-error`} className="concierge-field-error">
              {strings.emailInvalid}
            </p>
          )}
          <label htmlFor={`${id}-note`}>{strings.note}</label>
          <textarea id={`${id}-note`} rows={3} maxLength={2000} value={note} onChange={(event) => setNote(event.target.value)} />
          <p role="alert" className="concierge-field-error">
            {failed ? strings.notSentRetry : ''}
          </p>
          <div className="concierge-handoff-actions">
            <button type="button" className="concierge-text-button" onClick={onDone}>
              {strings.cancel}
            </button>
            <button type="submit" className="concierge-button" aria-disabled={busy}>
              {strings.send}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
