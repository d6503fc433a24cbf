'use client';
import type { ProductFaq, ProductFaqsResponse } from '@concierge/core';
import { ConciergeProvider, type ConciergeProviderProps } from '@concierge/react';
import { useProductFaqs } from '@concierge/react/faq';
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { askConcierge } from './ask';
import { Markdown } from './markdown';
import { Sources } from './sources';

/** Every string of the FAQ accordion. */
export interface FaqStrings {
  title: string;
  loading: string;
  error: string;
  retry: string;
  askFollowUp: string;
  sources: string;
}

export const defaultFaqStrings: FaqStrings = {
  title: 'Questions shoppers ask',
  loading: 'Loading questions about this product…',
  error: 'The questions about this product could not be loaded.',
  retry: 'Try again',
  askFollowUp: 'Ask a follow-up',
  sources: 'Sources',
};

export interface FaqAccordionProps {
  /** The product page's URL (http or https). */
  pageUrl: string;
  /** @default "en" */
  locale?: string;
  /** 1–10. @default 5 */
  count?: number;
  /** FAQs fetched on the server, rendered at once (and read by search engines). */
  initialData?: ProductFaqsResponse;
  /** Open items by FAQ id (controlled). */
  value?: number[];
  /** Open items at first (uncontrolled). @default [] */
  defaultValue?: number[];
  onValueChange?: (value: number[]) => void;
  /** Level of the heading above the list; the questions sit one level below. @default 2 */
  headingLevel?: 2 | 3 | 4 | 5;
  /** Called by "Ask a follow-up". @default opens the chat widget with the question and its answer */
  onAskFollowUp?: (faq: ProductFaq) => void;
  strings?: Partial<FaqStrings>;
  /** Writing direction, e.g. `rtl` for Arabic. @default inherited from the page */
  dir?: 'ltr' | 'rtl';
  /** @default "light" */
  theme?: 'light' | 'dark' | 'auto';
}

/**
 * A product's FAQs as a WAI-ARIA accordion: buttons with `aria-expanded` and `aria-controls`,
 * labelled regions, and Up/Down/Home/End between questions. Shows a skeleton while the FAQs are
 * generated and nothing when there are none. Must be inside a `<ConciergeProvider>`; see
 * {@link ProductFaqs} for a standalone one.
 */
export function FaqAccordion(props: FaqAccordionProps) {
  const strings = { ...defaultFaqStrings, ...props.strings };
  const level = props.headingLevel ?? 2;
  const { status, faqs, refetch } = useProductFaqs({
    pageUrl: props.pageUrl,
    locale: props.locale,
    count: props.count,
    initialData: props.initialData,
  });
  const [uncontrolled, setUncontrolled] = useState<number[]>(props.defaultValue ?? []);
  const open = props.value ?? uncontrolled;
  const id = useId();
  const triggers = useRef<(HTMLButtonElement | null)[]>([]);
  const Heading = `h${level}` as 'h2';
  const ItemHeading = `h${Math.min(level + 1, 6)}` as 'h3';

  if (status === 'not_available') return null;

  const toggle = (faqId: number) => {
    const next = open.includes(faqId) ? open.filter((item) => item !== faqId) : [...open, faqId];
    if (props.value === undefined) setUncontrolled(next);
    props.onValueChange?.(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const last = faqs.length - 1;
    const keys: Record<string, number> = {
      ArrowDown: index === last ? 0 : index + 1,
      ArrowUp: index === 0 ? last : index - 1,
      Home: 0,
      End: last,
    };
    const target = keys[event.key];
    if (target === undefined) return;
    event.preventDefault();
    triggers.current[target]?.focus();
  };

  const ask = props.onAskFollowUp ?? ((faq: ProductFaq) => askConcierge(faq.question, { faqId: faq.id, pageUrl: props.pageUrl }));

  return (
    <section
      className="concierge-faq"
      aria-labelledby={`${id}-title`}
      data-status={status}
      data-theme={props.theme ?? 'light'}
      dir={props.dir}
    >
      <Heading id={`${id}-title`} className="concierge-faq-title">
        {strings.title}
      </Heading>
      {(status === 'loading' || status === 'generating') && (
        <div className="concierge-faq-skeleton" role="status" aria-busy="true" aria-label={strings.loading}>
          <span />
          <span />
          <span />
        </div>
      )}
      {status === 'error' && (
        <p className="concierge-faq-error">
          {strings.error}{' '}
          <button type="button" className="concierge-button concierge-button-secondary" onClick={refetch}>
            {strings.retry}
          </button>
        </p>
      )}
      {status === 'ready' &&
        faqs.map((faq, index) => {
          const expanded = open.includes(faq.id);
          const triggerId = `${id}-trigger-${faq.id}`;
          const panelId = `${id}-panel-${faq.id}`;
          return (
            <div key={faq.id} className="concierge-faq-item" data-state={expanded ? 'open' : 'closed'}>
              <ItemHeading className="concierge-faq-question">
                <button
                  ref={(element) => {
                    triggers.current[index] = element;
                  }}
                  type="button"
                  id={triggerId}
                  className="concierge-faq-trigger"
                  aria-expanded={expanded}
                  aria-controls={panelId}
                  data-state={expanded ? 'open' : 'closed'}
                  onClick={() => toggle(faq.id)}
                  onKeyDown={(event) => onKeyDown(event, index)}
                >
                  {faq.question}
                </button>
              </ItemHeading>
              <div id={panelId} role="region" aria-labelledby={triggerId} className="concierge-faq-answer" hidden={!expanded}>
                {faq.answer && <Markdown text={faq.answer} />}
                {faq.sources && <Sources sources={faq.sources} label={strings.sources} />}
                <button type="button" className="concierge-button concierge-button-secondary" onClick={() => ask(faq)}>
                  {strings.askFollowUp}
                </button>
              </div>
            </div>
          );
        })}
    </section>
  );
}

export type ProductFaqsProps = FaqAccordionProps & Pick<ConciergeProviderProps, 'endpoint' | 'fetch' | 'headers' | 'transport'>;

/** The FAQ accordion with its own provider, for pages without one. */
export function ProductFaqs({ endpoint, fetch, headers, transport, ...accordion }: ProductFaqsProps) {
  return (
    <ConciergeProvider endpoint={endpoint} fetch={fetch} headers={headers} transport={transport} storage={null}>
      <FaqAccordion {...accordion} />
    </ConciergeProvider>
  );
}
