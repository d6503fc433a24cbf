import type { SendMessageRequest, StreamEvent, Transport } from '@concierge/core';
import { createMockTransport } from '@concierge/core';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConciergeWidget } from './concierge-widget';
import { concierge } from './control';

/** The mock transport, recording what each message was sent with. */
function recording() {
  const sent: SendMessageRequest[] = [];
  const mock = createMockTransport({ delayMs: 0, reply: 'Sure.' });
  const transport: Transport = {
    ...mock,
    async *sendMessage(request, options): AsyncGenerator<StreamEvent> {
      sent.push(request);
      yield* mock.sendMessage(request, options);
    },
  };
  return { transport, sent };
}

afterEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

describe('control from code', () => {
  it('sends every message given in a row, in order, and answers each in turn', async () => {
    const { transport, sent } = recording();
    render(<ConciergeWidget transport={transport} storage={null} />);
    act(() => {
      concierge.send('First question here');
      concierge.send('Second question here');
    });
    const dialog = await screen.findByRole('dialog');
    await waitFor(() => expect(sent.map((request) => request.message)).toEqual(['First question here', 'Second question here']));
    expect(within(dialog).getByText('First question here')).toBeTruthy();
    expect(within(dialog).getByText('Second question here')).toBeTruthy();
  });

  it('opens, closes and toggles the window', async () => {
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} />);
    act(() => concierge.open());
    await screen.findByRole('dialog');
    expect(screen.getAllByRole('button', { name: 'Close chat' }).length).toBeGreaterThan(0);
    act(() => concierge.close());
    await waitFor(() => expect(document.querySelector('.concierge')!.getAttribute('data-state')).toBe('closed'));
    act(() => concierge.toggle());
    await waitFor(() => expect(document.querySelector('.concierge')!.getAttribute('data-state')).toBe('open'));
  });

  it('sends a message with request fields, and every later message carries the context set from code', async () => {
    const { transport, sent } = recording();
    render(<ConciergeWidget transport={transport} storage={null} />);
    act(() => concierge.setContext({ metadata: { sku: 'MCS-NAVY-M' } }));
    act(() => concierge.send('Is this in stock?', { faqId: 7 }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Sure.');
    expect(sent[0]).toMatchObject({ message: 'Is this in stock?', faqId: 7, metadata: { sku: 'MCS-NAVY-M' } });
  });

  it('keeps commands given before the widget was on the page, and runs them when it mounts', async () => {
    const { transport, sent } = recording();
    concierge.send('Asked before the widget loaded');
    render(<ConciergeWidget transport={transport} storage={null} />);
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Sure.');
    expect(sent.map((request) => request.message)).toEqual(['Asked before the widget loaded']);
  });

  it('starts a new conversation', async () => {
    const { transport } = recording();
    render(<ConciergeWidget transport={transport} storage={null} />);
    act(() => concierge.send('First question'));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Sure.');
    act(() => concierge.reset());
    await waitFor(() => expect(within(dialog).queryByText('First question')).toBeNull());
  });
});

describe('unread replies', () => {
  it('counts a reply that finishes while the window is closed on the launcher, says so in its name, clears on open, and survives a reload', async () => {
    const transport = createMockTransport({ delayMs: 20, reply: 'A reply that takes a moment to arrive.' });
    const { unmount } = render(<ConciergeWidget transport={transport} storage={null} />);
    act(() => concierge.send('Where is my order?'));
    await screen.findByRole('dialog');
    act(() => concierge.close());
    const launcher = await screen.findByRole('button', { name: 'Open chat, 1 unread message' });
    expect(launcher.querySelector('.concierge-badge')!.textContent).toBe('1');
    // A reload: the count is still there.
    unmount();
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} storage={null} />);
    const again = await screen.findByRole('button', { name: 'Open chat, 1 unread message' });
    act(() => again.click());
    await screen.findByRole('dialog');
    act(() => concierge.close());
    await screen.findByRole('button', { name: 'Open chat' });
    expect(document.querySelector('.concierge-badge')).toBeNull();
  });

  it('works where the page may not touch storage (a sandboxed frame): opens, answers and counts an unread reply', async () => {
    const original = Object.getOwnPropertyDescriptor(window, 'sessionStorage')!;
    Object.defineProperty(window, 'sessionStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('The document is sandboxed.', 'SecurityError');
      },
    });
    try {
      render(<ConciergeWidget transport={createMockTransport({ delayMs: 20, reply: 'A reply that takes a moment to arrive.' })} storage={null} />);
      act(() => concierge.send('Where is my order?'));
      await screen.findByRole('dialog');
      act(() => concierge.close());
      await screen.findByRole('button', { name: 'Open chat, 1 unread message' });
    } finally {
      Object.defineProperty(window, 'sessionStorage', original);
    }
  });

  it('does not count a reply the shopper watched arrive', async () => {
    render(<ConciergeWidget transport={createMockTransport({ delayMs: 0, reply: 'Seen.' })} storage={null} />);
    act(() => concierge.send('Hello there, a question'));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Seen.');
    act(() => concierge.close());
    await screen.findByRole('button', { name: 'Open chat' });
  });
});

describe('events', () => {
  it('reports open, message sent, reply finished, product click, add to cart and close, to their callbacks and to onEvent, with no secret', async () => {
    const events: { type: string }[] = [];
    const calls: string[] = [];
    const card = { id: 'merino', name: 'Merino Crew Sweater', url: '/products/merino', price: 128, currency: 'USD' };
    render(
      <ConciergeWidget
        transport={createMockTransport({ delayMs: 0, reply: 'This one.', sources: [{ title: 'Merino', url: '/products/merino' }], products: [card] })}
        storage={null}
        onEvent={(event) => events.push(event)}
        onOpen={() => calls.push('open')}
        onClose={() => calls.push('close')}
        onMessageSent={(event) => calls.push(`sent:${event.text}`)}
        onReplyFinished={(event) => calls.push(`finished:${event.products}`)}
        onProductClick={(product) => calls.push(`click:${product.id}`)}
        onAddToCart={(product) => calls.push(`cart:${product.id}`)}
      />,
    );
    act(() => concierge.send('A warm sweater?'));
    const dialog = await screen.findByRole('dialog');
    const link = await within(dialog).findByRole('link', { name: 'Merino Crew Sweater' });
    link.addEventListener('click', (event) => event.preventDefault());
    act(() => link.click());
    act(() => within(dialog).getByRole('button', { name: 'Add to cart: Merino Crew Sweater' }).click());
    act(() => concierge.close());
    await waitFor(() => expect(calls).toContain('close'));
    expect(calls).toEqual(['open', 'sent:A warm sweater?', 'finished:1', 'click:merino', 'cart:merino', 'close']);
    expect(events.map((event) => event.type)).toEqual(['open', 'message_sent', 'reply_finished', 'product_click', 'add_to_cart', 'close']);
    expect(events[1]).toEqual({ type: 'message_sent', turnId: expect.any(String), text: 'A warm sweater?' });
    expect(events[2]).toMatchObject({ type: 'reply_finished', sources: 1, products: 1 });
    expect(JSON.stringify(events)).not.toMatch(/token/i);
  });

  it('reports an error with its code', async () => {
    const errors: string[] = [];
    render(
      <ConciergeWidget
        transport={createMockTransport({ delayMs: 0, error: { code: 'upstream_timeout', message: 'Too slow.' } })}
        storage={null}
        retry={{ maxAttempts: 1 }}
        onError={(event) => errors.push(event.code)}
      />,
    );
    act(() => concierge.send('Hello, is anyone there?'));
    await waitFor(() => expect(errors).toEqual(['upstream_timeout']));
  });
});
