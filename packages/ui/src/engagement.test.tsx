import { ConciergeError, createMockTransport, type FeedbackRequest, type HandoffRequest, type MockTransportOptions, type SendMessageRequest, type StreamEvent, type Transport } from '@concierge/core';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConciergeWidget } from './concierge-widget';
import { concierge } from './control';
import type { ConciergeEvent } from './events';

/** The mock transport, recording every message, rating and handoff it was sent; `fail` makes the last two fail. */
function recording(options: MockTransportOptions = {}) {
  const sent: SendMessageRequest[] = [];
  const feedback: FeedbackRequest[] = [];
  const handoffs: HandoffRequest[] = [];
  const state = { fail: false };
  const mock = createMockTransport({ delayMs: 0, reply: 'Returns are free within 30 days.', ...options });
  const refuse = () => {
    if (state.fail) throw new ConciergeError({ code: 'upstream_unavailable', message: 'Down.' });
  };
  const transport: Transport = {
    ...mock,
    async *sendMessage(request, requestOptions): AsyncGenerator<StreamEvent> {
      sent.push(request);
      yield* mock.sendMessage(request, requestOptions);
    },
    async sendFeedback(request, requestOptions) {
      feedback.push(request);
      refuse();
      return mock.sendFeedback!(request, requestOptions);
    },
    async requestHandoff(request, requestOptions) {
      handoffs.push(request);
      refuse();
      return mock.requestHandoff!(request, requestOptions);
    },
  };
  return { transport, sent, feedback, handoffs, state };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('nudges', () => {
  it('shows a bubble after its delay without taking focus, announced politely; clicking it opens the chat with its text as the first words', async () => {
    const events: ConciergeEvent[] = [];
    render(
      <>
        <input aria-label="Search the shop" />
        <ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} greeting="Hi!" onEvent={(event) => events.push(event)} />
      </>,
    );
    const search = screen.getByRole('textbox', { name: 'Search the shop' });
    search.focus();
    act(() => concierge.nudge({ text: 'Questions about the Merino Crew? Ask me.', delayMs: 30 }));
    expect(screen.queryByText('Questions about the Merino Crew? Ask me.')).toBeNull();
    const bubble = await screen.findByRole('button', { name: 'Questions about the Merino Crew? Ask me.' });
    expect(bubble.closest('[role="status"]')).not.toBeNull();
    expect(document.activeElement).toBe(search);
    await userEvent.click(bubble);
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText('Questions about the Merino Crew? Ask me.')).toBeTruthy();
    expect(within(dialog).queryByText('Hi!')).toBeNull();
    expect(events.filter((event) => event.type === 'nudge').map((event) => (event as { action: string }).action)).toEqual(['shown', 'clicked']);
  });

  it('once dismissed (× or Escape), is not shown again for a while, on this device', async () => {
    const { unmount } = render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} />);
    act(() => concierge.nudge({ text: 'Need a hand?' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Need a hand?')).toBeNull();
    // Focus goes back to the launcher, not to the page's start.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open chat' }));
    act(() => concierge.nudge({ text: 'Still there?' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByText('Still there?')).toBeNull();
    unmount();

    // A short cooldown has passed: the next one shows, and Escape dismisses it.
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} />);
    act(() => concierge.nudge({ text: 'Back again', cooldownMs: 0 }));
    const bubble = await screen.findByRole('button', { name: 'Back again' });
    fireEvent.keyDown(bubble, { key: 'Escape' });
    expect(screen.queryByText('Back again')).toBeNull();
  });

  it('is not shown while the window is open, and a later nudge replaces one still waiting', async () => {
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} />);
    act(() => concierge.open());
    await screen.findByRole('dialog');
    act(() => concierge.nudge({ text: 'While open' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByText('While open')).toBeNull();
    act(() => concierge.close());
    act(() => concierge.nudge({ text: 'First', delayMs: 50 }));
    act(() => concierge.nudge({ text: 'Second', delayMs: 10 }));
    await screen.findByRole('button', { name: 'Second' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(screen.queryByText('First')).toBeNull();
  });

  it('is cancelled by the function it returns (a page left before its delay), and a later nudge is not', async () => {
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} />);
    let cancel!: () => void;
    act(() => void (cancel = concierge.nudge({ text: 'On the old page', delayMs: 20 })));
    act(() => cancel());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByText('On the old page')).toBeNull();
    act(() => void (cancel = concierge.nudge({ text: 'Shown now' })));
    await screen.findByRole('button', { name: 'Shown now' });
    let later!: () => void;
    act(() => void (later = concierge.nudge({ text: 'Replaced', delayMs: 30 })));
    // A later nudge replaces the one shown; the first one's cancel no longer applies.
    expect(screen.queryByText('Shown now')).toBeNull();
    act(() => cancel());
    await screen.findByRole('button', { name: 'Replaced' });
    act(() => later());
    expect(screen.queryByText('Replaced')).toBeNull();
  });

  it('refuses a nudge without text', () => {
    expect(() => concierge.nudge({ text: '  ' })).toThrow(/text is required/);
  });
});

describe('suggested questions', () => {
  it('offers the configured starters in an empty conversation; clicking one sends it', async () => {
    const { transport, sent } = recording();
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen starters={['Do you ship to Canada?', 'How do returns work?']} />);
    const group = await screen.findByRole('group', { name: 'Suggested questions' });
    await userEvent.click(within(group).getByRole('button', { name: 'How do returns work?' }));
    await screen.findByText('Returns are free within 30 days.');
    expect(sent.map((request) => request.message)).toEqual(['How do returns work?']);
  });

  it('shows the configured starters when the transport cannot give FAQs (it throws at once)', async () => {
    const { transport } = recording();
    transport.getProductFaqs = () => {
      throw new TypeError('not supported');
    };
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen starters={['How do returns work?']} />);
    await screen.findByRole('button', { name: 'How do returns work?' });
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();
  });

  it('offers a product page’s FAQs first, asked with their faqId', async () => {
    const { transport, sent } = recording({
      productFaqs: { status: 'ready', faqs: [{ id: 11, question: 'Does it shrink?' }, { id: 12, question: 'Is it itchy?' }] },
    });
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen starters={['Generic starter']} />);
    const starter = await screen.findByRole('button', { name: 'Is it itchy?' });
    expect(screen.queryByText('Generic starter')).toBeNull();
    await userEvent.click(starter);
    await screen.findByText('Returns are free within 30 days.');
    expect(sent[0]).toMatchObject({ message: 'Is it itchy?', faqId: 12 });
  });

  it('shows no configured starter while the page’s FAQs are asked for, so a click never lands on a starter that is then replaced', async () => {
    const { transport, sent } = recording();
    let answer!: (faqs: Awaited<ReturnType<Transport['getProductFaqs']>>) => void;
    transport.getProductFaqs = () => new Promise((resolve) => (answer = resolve));
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen starters={['Generic starter']} />);
    await screen.findByRole('dialog');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(screen.queryByRole('button', { name: 'Generic starter' })).toBeNull();
    act(() => answer({ status: 'ready', faqs: [{ id: 7, question: 'Does it shrink?' }] }));
    await userEvent.click(await screen.findByRole('button', { name: 'Does it shrink?' }));
    await screen.findByText('Returns are free within 30 days.');
    expect(sent.map((request) => request.message)).toEqual(['Does it shrink?']);
    expect(screen.queryByText('Generic starter')).toBeNull();
  });

  it('falls back to the configured starters when the FAQs are slow, and keeps them when the FAQs come after all', async () => {
    const { transport } = recording();
    let answer!: (faqs: Awaited<ReturnType<Transport['getProductFaqs']>>) => void;
    transport.getProductFaqs = () => new Promise((resolve) => (answer = resolve));
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen starters={['Generic starter']} />);
    await screen.findByRole('button', { name: 'Generic starter' }, { timeout: 2000 });
    act(() => answer({ status: 'ready', faqs: [{ id: 7, question: 'Does it shrink?' }] }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getByRole('button', { name: 'Generic starter' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Does it shrink?' })).toBeNull();
  });

  it('offers up to three follow-ups after the last reply, hidden while the next one is on its way', async () => {
    const { transport, sent } = recording({ suggestions: ['Tell me about refunds', 'Tell me about exchanges', 'Tell me about fees', 'A fourth'] });
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen starters={false} />);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByRole('group', { name: 'Suggested questions' })).toBeNull();
    act(() => concierge.send('Return policy?'));
    const group = await within(dialog).findByRole('group', { name: 'Suggested questions' });
    expect(within(group).getAllByRole('button').map((button) => button.textContent)).toEqual([
      'Tell me about refunds',
      'Tell me about exchanges',
      'Tell me about fees',
    ]);
    // Keyboard: Tab reaches the buttons, Enter sends.
    within(group).getByRole('button', { name: 'Tell me about exchanges' }).focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(sent.map((request) => request.message)).toEqual(['Return policy?', 'Tell me about exchanges']));
    // The buttons are gone with the question; the focus went to the composer.
    expect(document.activeElement).toBe(within(dialog).getByRole('textbox', { name: 'Message' }));
  });
});

describe('feedback', () => {
  it('records a thumbs up, shows it pressed and thanks; reports onFeedback', async () => {
    const { transport, feedback } = recording();
    const onFeedback = vi.fn();
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen onFeedback={onFeedback} />);
    act(() => concierge.send('Return policy?'));
    const up = await screen.findByRole('button', { name: 'Helpful' });
    expect(up.getAttribute('aria-pressed')).toBe('false');
    await userEvent.click(up);
    await waitFor(() => expect(up.getAttribute('aria-pressed')).toBe('true'));
    // The keyboard focus stays on the button pressed (never dropped to the page by a disabled button).
    expect(document.activeElement).toBe(up);
    expect(screen.getByText('Thanks for your feedback.')).toBeTruthy();
    expect(feedback).toEqual([{ threadId: 'mock-thread', messageId: 'mock-message-1', rating: 'up' }]);
    expect(onFeedback).toHaveBeenCalledWith({ type: 'feedback', messageId: 'mock-message-1', rating: 'up' });
  });

  it('records a thumbs down at once, then its optional comment; a failure keeps the comment', async () => {
    const { transport, feedback, state } = recording();
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen />);
    act(() => concierge.send('Return policy?'));
    await userEvent.click(await screen.findByRole('button', { name: 'Not helpful' }));
    const comment = await screen.findByRole('textbox', { name: 'What went wrong? (optional)' });
    expect(feedback).toEqual([{ threadId: 'mock-thread', messageId: 'mock-message-1', rating: 'down' }]);
    await userEvent.type(comment, 'It did not answer about fees');
    state.fail = true;
    await userEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    await screen.findByText('That could not be sent. Please try again.');
    expect((screen.getByRole('textbox', { name: 'What went wrong? (optional)' }) as HTMLTextAreaElement).value).toBe('It did not answer about fees');
    state.fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    await screen.findByText('Thanks for your feedback.');
    expect(feedback.at(-1)).toEqual({ threadId: 'mock-thread', messageId: 'mock-message-1', rating: 'down', comment: 'It did not answer about fees' });
    expect(screen.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Not helpful' }));
  });

  it('is not offered on a stopped reply or the greeting, and can be turned off', async () => {
    const { transport } = recording();
    const { unmount } = render(<ConciergeWidget transport={transport} storage={null} defaultOpen greeting="Hi!" />);
    await screen.findByText('Hi!');
    expect(screen.queryByRole('button', { name: 'Helpful' })).toBeNull();
    unmount();
    render(<ConciergeWidget transport={recording().transport} storage={null} defaultOpen feedback={false} />);
    act(() => concierge.send('Return policy?'));
    await screen.findByText('Returns are free within 30 days.');
    expect(screen.queryByRole('button', { name: 'Helpful' })).toBeNull();
  });
});

describe('talk to a person', () => {
  it('is offered only when the store turned it on, in the footer and under a reply the assistant could not give', async () => {
    const { unmount } = render(<ConciergeWidget transport={recording({ offerHandoff: true }).transport} storage={null} defaultOpen />);
    act(() => concierge.send('Can you fix my bike?'));
    await screen.findByText('Returns are free within 30 days.');
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
    unmount();
    render(<ConciergeWidget transport={recording({ offerHandoff: true }).transport} storage={null} defaultOpen handoff />);
    expect(screen.getAllByRole('button', { name: 'Talk to a person' })).toHaveLength(1);
    act(() => concierge.send('Can you fix my bike?'));
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Talk to a person' })).toHaveLength(2));
  });

  it('checks the email, sends it with the note and thread, confirms with the reply time, and keeps the draft in the composer', async () => {
    const { transport, handoffs, state } = recording({ replyTime: 'within 2 hours' });
    const events: ConciergeEvent[] = [];
    render(<ConciergeWidget transport={transport} storage={null} defaultOpen handoff onEvent={(event) => events.push(event)} />);
    act(() => concierge.send('My parcel is damaged'));
    await screen.findByText('Returns are free within 30 days.');
    const composer = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(composer, 'half-written question');
    await userEvent.click(screen.getByRole('button', { name: 'Talk to a person' }));

    const email = screen.getByRole('textbox', { name: 'Email' });
    expect(document.activeElement).toBe(email);
    await userEvent.type(email, 'ana@example');
    await userEvent.type(screen.getByRole('textbox', { name: 'Note (optional)' }), 'Box arrived crushed');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter an email address such as name@example.com.').id).toBe(email.getAttribute('aria-describedby'));
    expect(handoffs).toEqual([]);

    await userEvent.type(email, '.com');
    state.fail = true;
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('That could not be sent. Please try again.');
    expect((screen.getByRole('textbox', { name: 'Note (optional)' }) as HTMLTextAreaElement).value).toBe('Box arrived crushed');
    state.fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const confirmation = await screen.findByText('Thanks! Someone from our team will write to ana@example.com within 2 hours.');
    expect(confirmation.getAttribute('role')).toBe('status');
    expect(handoffs.at(-1)).toMatchObject({ email: 'ana@example.com', note: 'Box arrived crushed', threadId: 'mock-thread' });
    const handoff = events.find((event) => event.type === 'handoff');
    expect(handoff).toEqual({ type: 'handoff', handoffId: expect.any(String), threadId: 'mock-thread', replyTime: 'within 2 hours' });
    expect(JSON.stringify(handoff)).not.toContain('ana@example.com');

    await userEvent.click(screen.getByRole('button', { name: 'Back to chat' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Message' })));
    expect((screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).value).toBe('half-written question');
  });
});

describe('the launcher’s strings', () => {
  it('are the window’s, loaded apart so the page does not carry every string', async () => {
    const { launcherStrings } = await import('./launcher-strings');
    const { defaultStrings } = await import('./strings');
    for (const [key, value] of Object.entries(launcherStrings)) {
      const full = defaultStrings[key as keyof typeof defaultStrings];
      if (typeof value === 'function') expect((full as (count: number) => string)(2)).toBe(value(2));
      else expect(full).toBe(value);
    }
  });
});
