import type { ProductFaqsResponse, Transport } from '@concierge/core';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ConciergeWidget } from './concierge-widget';
import { ProductFaqs } from './faq-accordion';
import { faqJsonLd } from './faq-json-ld';

const READY: ProductFaqsResponse = {
  status: 'ready',
  faqs: [
    { id: 1, question: 'What is it made of?', answer: 'Extra-fine **merino** wool.', sources: [{ title: 'Merino Crew Sweater', url: '/products/merino' }] },
    { id: 2, question: 'How do I wash it?', answer: 'Hand wash cold.' },
    { id: 3, question: 'Can I return it?', answer: 'Within 30 days.' },
  ],
};

function transportAnswering(...answers: ProductFaqsResponse[]): Transport {
  return {
    sendMessage: () => {
      throw new Error('not used');
    },
    getThread: () => Promise.reject(new Error('not used')),
    getProductFaqs: vi.fn(async () => (answers.length > 1 ? answers.shift()! : answers[0]!)),
  };
}

describe('FaqAccordion', () => {
  it('follows the WAI-ARIA accordion pattern', async () => {
    const user = userEvent.setup();
    render(<ProductFaqs pageUrl="https://shop.example/p" transport={transportAnswering(READY)} />);
    const section = await screen.findByRole('region', { name: 'Questions shoppers ask' });
    const triggers = await within(section).findAllByRole('button', { expanded: false });
    expect(triggers.map((trigger) => trigger.textContent)).toEqual(['What is it made of?', 'How do I wash it?', 'Can I return it?']);
    expect(screen.getAllByRole('heading', { level: 3 })).toHaveLength(3);

    await user.click(triggers[0]!);
    expect(triggers[0]!.getAttribute('aria-expanded')).toBe('true');
    const panel = document.getElementById(triggers[0]!.getAttribute('aria-controls')!)!;
    expect(panel.getAttribute('role')).toBe('region');
    expect(panel.getAttribute('aria-labelledby')).toBe(triggers[0]!.id);
    expect(panel.hidden).toBe(false);
    expect(within(panel).getByText('merino').tagName).toBe('STRONG');
    expect(within(panel).getByRole('link', { name: 'Merino Crew Sweater' })).toBeTruthy();
    await user.click(triggers[0]!);
    expect(panel.hidden).toBe(true);
  });

  it('moves between questions with Up, Down, Home and End, wrapping around', async () => {
    const user = userEvent.setup();
    render(<ProductFaqs pageUrl="https://shop.example/p" transport={transportAnswering(READY)} />);
    const triggers = await screen.findAllByRole('button', { expanded: false });
    triggers[0]!.focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(triggers[1]);
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(triggers[2]);
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(triggers[0]);
    await user.keyboard('{ArrowUp}');
    expect(document.activeElement).toBe(triggers[2]);
    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(triggers[0]);
    await user.keyboard('{Enter}');
    expect(triggers[0]!.getAttribute('aria-expanded')).toBe('true');
  });

  it('can be controlled', async () => {
    const user = userEvent.setup();
    const changes: number[][] = [];
    function Controlled() {
      const [open, setOpen] = useState<number[]>([2]);
      return (
        <ProductFaqs
          pageUrl="https://shop.example/p"
          transport={transportAnswering(READY)}
          value={open}
          onValueChange={(next) => {
            changes.push(next);
            setOpen(next.slice(-1));
          }}
        />
      );
    }
    render(<Controlled />);
    const second = await screen.findByRole('button', { name: 'How do I wash it?' });
    expect(second.getAttribute('aria-expanded')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'What is it made of?' }));
    expect(changes).toEqual([[2, 1]]);
    expect(second.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByRole('button', { name: 'What is it made of?' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('shows a skeleton while the FAQs are generated, then the questions', async () => {
    vi.useFakeTimers();
    try {
      render(
        <ProductFaqs pageUrl="https://shop.example/p" transport={transportAnswering({ status: 'generating', retryAfterSeconds: 1 }, READY)} />,
      );
      await act(() => vi.advanceTimersByTimeAsync(10));
      expect(screen.getByRole('status', { name: 'Loading questions about this product…' }).getAttribute('aria-busy')).toBe('true');
      await act(() => vi.advanceTimersByTimeAsync(1_020));
      expect(screen.queryByRole('status')).toBeNull();
      expect(screen.getByRole('button', { name: 'What is it made of?' })).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('renders nothing when the page has no FAQs', async () => {
    const transport = transportAnswering({ status: 'not_available', faqs: [] });
    const { container } = render(<ProductFaqs pageUrl="https://shop.example/about" transport={transport} />);
    await waitFor(() => expect(transport.getProductFaqs).toHaveBeenCalled());
    await waitFor(() => expect(container.innerHTML).toBe(''));
  });

  it('renders server data at once', () => {
    render(<ProductFaqs pageUrl="https://shop.example/p" transport={transportAnswering(READY)} initialData={READY} />);
    expect(screen.getByRole('button', { name: 'Can I return it?' })).toBeTruthy();
  });

  it('"Ask a follow-up" opens the chat and asks the FAQ with its id in the thread', async () => {
    const user = userEvent.setup();
    const bodies: Record<string, unknown>[] = [];
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)));
      const events = [
        ['start', { threadId: 't', messageId: 'm' }],
        ['delta', { text: 'Hand wash cold.' }],
        ['done', { threadId: 't', messageId: 'm' }],
      ] as const;
      return new Response(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''), {
        headers: { 'content-type': 'text/event-stream' },
      });
    });
    render(
      <>
        <ProductFaqs pageUrl="https://shop.example/p" transport={transportAnswering(READY)} />
        <ConciergeWidget endpoint="/api/concierge" fetch={fetch} />
      </>,
    );
    await user.click(await screen.findByRole('button', { name: 'How do I wash it?' }));
    const panel = screen.getByRole('region', { name: 'How do I wash it?' });
    await user.click(within(panel).getByRole('button', { name: 'Ask a follow-up' }));
    const dialog = await screen.findByRole('dialog', { name: 'Customer support' });
    await within(dialog).findByText('Hand wash cold.');
    expect(within(dialog).getByText('How do I wash it?')).toBeTruthy();
    expect(bodies[0]).toMatchObject({ message: 'How do I wash it?', faqId: 2, pageUrl: 'https://shop.example/p' });
  });
});

describe('faqJsonLd', () => {
  it('describes answered FAQs as a schema.org FAQPage', () => {
    expect(faqJsonLd(READY.status === 'ready' ? READY.faqs.slice(0, 1) : [])).toEqual({
      '@context': 'https://schema.org',
      '@type': 'FAQPage',
      mainEntity: [
        { '@type': 'Question', name: 'What is it made of?', acceptedAnswer: { '@type': 'Answer', text: 'Extra-fine **merino** wool.' } },
      ],
    });
    expect(faqJsonLd([{ id: 9, question: 'No answer yet?' }])).toBeNull();
  });
});
