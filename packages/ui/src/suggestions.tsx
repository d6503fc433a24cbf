'use client';
import type { MessageContext } from '@concierge/core';
import { useConcierge, useThread } from '@concierge/react';
import { useEffect, useState } from 'react';
import type { ConciergeStrings } from './strings';

interface Suggestion {
  text: string;
  fields?: MessageContext;
}

/** Questions as buttons; clicking one sends it. A labelled group, in the tab order. */
function SuggestionList({ items, strings }: { items: Suggestion[]; strings: ConciergeStrings }) {
  const send = useThread((thread) => thread.send);
  if (!items.length) return null;
  return (
    <div className="concierge-suggestions" role="group" aria-label={strings.suggestions}>
      {items.map((item) => (
        <button
          key={item.text}
          type="button"
          className="concierge-suggestion"
          onClick={(event) => {
            // The buttons go once the question is sent: the keyboard focus moves to the composer, not the page.
            event.currentTarget.closest('.concierge-window')?.querySelector('textarea')?.focus();
            send(item.text, item.fields).catch(() => {});
          }}
        >
          {item.text}
        </button>
      ))}
    </div>
  );
}

/**
 * Starters in an empty conversation: the first three product FAQs of this page when it has some
 * (asked with their `faqId`, so the vendor answers the FAQ), else the configured ones; `false`
 * shows none. One request, no polling.
 */
export function Starters({ starters, strings }: { starters?: string[] | false; strings: ConciergeStrings }) {
  const { transport } = useConcierge();
  const [faqs, setFaqs] = useState<Suggestion[]>([]);
  const off = starters === false;
  useEffect(() => {
    if (off || !/^https?:/.test(location.href)) return;
    const controller = new AbortController();
    // Through a promise, so a transport that throws at once (or has no FAQs at all) shows no starters, not an error.
    Promise.resolve()
      .then(() => transport.getProductFaqs({ pageUrl: location.href, locale: strings.locale, count: 3 }, { signal: controller.signal }))
      .then((answer) => {
        if (answer.status === 'ready') setFaqs(answer.faqs.slice(0, 3).map((faq) => ({ text: faq.question, fields: { faqId: faq.id } })));
      })
      // No FAQs here, or the proxy is away: the configured starters, and nothing to tell the shopper.
      .catch(() => {});
    return () => controller.abort();
  }, [off, transport, strings.locale]);
  const items = faqs.length ? faqs : (starters || []).slice(0, 3).map((text) => ({ text }));
  return <SuggestionList items={items} strings={strings} />;
}

/** Up to three questions after the last reply, while the shopper has not asked anything else. */
export function FollowUps({ strings }: { strings: ConciergeStrings }) {
  const { last, isBusy } = useThread((thread) => ({ last: thread.messages.at(-1), isBusy: thread.isBusy }));
  if (isBusy || last?.role !== 'assistant' || !last.suggestions?.length) return null;
  return <SuggestionList items={last.suggestions.slice(0, 3).map((text) => ({ text }))} strings={strings} />;
}
