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

/** How long starters wait for the page's FAQs before the configured ones show instead. */
const STARTER_WAIT_MS = 1000;

/**
 * Starters in an empty conversation: the first three product FAQs of this page when it has some
 * (asked with their `faqId`, so the vendor answers the FAQ), else the configured ones; `false`
 * shows none. One request, no polling. Once shown they never change: a shopper reaching for a
 * configured starter never clicks a FAQ that replaced it, so nothing shows while the FAQs are
 * asked for (at most {@link STARTER_WAIT_MS} when there are configured ones to fall back on).
 */
export function Starters({ starters, strings }: { starters?: string[] | false; strings: ConciergeStrings }) {
  const { transport } = useConcierge();
  const configured = (starters || []).slice(0, 3).map((text): Suggestion => ({ text }));
  const [items, setItems] = useState<Suggestion[]>();
  const off = starters === false;
  const fallback = configured.length > 0;
  useEffect(() => {
    if (off || !/^https?:/.test(location.href)) return setItems((shown) => shown ?? []);
    const controller = new AbortController();
    const settle = (faqs: Suggestion[]) => controller.signal.aborted || setItems((shown) => shown ?? faqs);
    const timer = fallback ? setTimeout(settle, STARTER_WAIT_MS, []) : undefined;
    // Through a promise, so a transport that throws at once (or has no FAQs at all) shows the configured starters, not an error.
    Promise.resolve()
      .then(() => transport.getProductFaqs({ pageUrl: location.href, locale: strings.locale, count: 3 }, { signal: controller.signal }))
      .then((answer) => settle(answer.status === 'ready' ? answer.faqs.slice(0, 3).map((faq) => ({ text: faq.question, fields: { faqId: faq.id } })) : []))
      // No FAQs here, or the proxy is away: the configured starters, and nothing to tell the shopper.
      .catch(() => settle([]));
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [off, fallback, transport, strings.locale]);
  return <SuggestionList items={items ? (items.length ? items : configured) : []} strings={strings} />;
}

/** Up to three questions after the last reply, while the shopper has not asked anything else. */
export function FollowUps({ strings }: { strings: ConciergeStrings }) {
  const { last, isBusy } = useThread((thread) => ({ last: thread.messages.at(-1), isBusy: thread.isBusy }));
  if (isBusy || last?.role !== 'assistant' || !last.suggestions?.length) return null;
  return <SuggestionList items={last.suggestions.slice(0, 3).map((text) => ({ text }))} strings={strings} />;
}
