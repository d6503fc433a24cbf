import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ConciergeProvider } from '@concierge/react';
import type { RetryOptions } from '@concierge/core';
import { Profiler } from 'react';
import { askConcierge } from './ask';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { defaultStrings } from './strings';
import { ConciergeWidget } from './concierge-widget';

/** A fetch standing in for the proxy: each POST gets the next scripted reply. */
function fakeProxy(replies: ((signal: AbortSignal) => Response)[]) {
  const bodies: { message: string; threadId?: string; pageUrl?: string; locale?: string }[] = [];
  const keys: string[] = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    if (String(url).includes('/threads/')) return Response.json({ error: { code: 'not_found', message: 'x' } }, { status: 404 });
    bodies.push(JSON.parse(String(init?.body)));
    keys.push((init?.headers as Record<string, string>)['idempotency-key']!);
    const reply = replies.shift();
    if (!reply) throw new Error('No reply scripted');
    return reply(init!.signal!);
  });
  return { fetch, bodies, keys };
}

function sse(events: [string, object][], { hold = false } = {}) {
  return (signal: AbortSignal) => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        events.forEach(([event, data], index) =>
          controller.enqueue(encoder.encode(`id: m:${index}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
        );
        if (!hold) controller.close();
        signal.addEventListener('abort', () => controller.error(new DOMException('Aborted', 'AbortError')));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
}

const RETURNS_REPLY = sse([
  ['start', { threadId: 't1', messageId: 'm1' }],
  ['delta', { text: 'You can return unworn items within **30 days**.' }],
  ['sources', { sources: [{ title: 'Returns and refunds', url: '/policies/returns' }] }],
  ['done', { threadId: 't1', messageId: 'm1' }],
]);

async function openChat(fetch: typeof globalThis.fetch, retry?: RetryOptions) {
  const user = userEvent.setup();
  render(<ConciergeWidget endpoint="/api/concierge" fetch={fetch} greeting="Hi! How can I help?" retry={retry} />);
  await user.click(screen.getByRole('button', { name: 'Open chat' }));
  const dialog = await screen.findByRole('dialog', { name: 'Customer support' });
  return { user, dialog };
}

describe('ConciergeWidget', () => {
  it('opens an accessible dialog with a log, a labelled composer and the focus in it', async () => {
    const { dialog } = await openChat(fakeProxy([]).fetch);
    expect(within(dialog).getByRole('log')).toBeTruthy();
    const input = within(dialog).getByRole('textbox', { name: 'Message' });
    await waitFor(() => expect(document.activeElement).toBe(input));
    expect(within(dialog).getByText('Hi! How can I help?')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Close chat', expanded: true })).toBeTruthy();
  });

  it('sends a question and shows the streamed answer with its sources as links', async () => {
    const proxy = fakeProxy([RETURNS_REPLY]);
    const { user, dialog } = await openChat(proxy.fetch);
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'What is your return policy?');
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));

    const log = within(dialog).getByRole('log');
    await within(log).findByText('30 days');
    expect(within(log).getByText('What is your return policy?')).toBeTruthy();
    const source = within(log).getByRole('link', { name: 'Returns and refunds' });
    expect(source.getAttribute('href')).toBe('/policies/returns');
    expect(proxy.bodies[0]).toMatchObject({ message: 'What is your return policy?', pageUrl: 'http://localhost:3000/' });
    expect((within(dialog).getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).value).toBe('');
  });

  it('shows a typing indicator before the first token and Stop while streaming', async () => {
    const proxy = fakeProxy([sse([['start', { threadId: 't', messageId: 'm' }]], { hold: true })]);
    const { user, dialog } = await openChat(proxy.fetch);
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Hello{Enter}');
    expect(await within(dialog).findByRole('status', { name: 'The assistant is typing…' })).toBeTruthy();
    expect(within(dialog).getByRole('log').getAttribute('aria-busy')).toBe('true');
    await user.click(within(dialog).getByRole('button', { name: 'Stop' }));
    await within(dialog).findByRole('button', { name: 'Send' });
    expect(within(dialog).queryByRole('status', { name: 'The assistant is typing…' })).toBeNull();
  });

  it('refuses an empty message with a hint, sending nothing and losing nothing', async () => {
    const proxy = fakeProxy([]);
    const { user, dialog } = await openChat(proxy.fetch);
    const input = within(dialog).getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(input, '   ');
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));
    expect(within(dialog).getByText('Type a message first.')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.value).toBe('   ');
    expect(proxy.bodies).toEqual([]);
  });

  it('retries a passing failure by itself, says when, and Retry now sends the same turn at once', async () => {
    const proxy = fakeProxy([
      () => Response.json({ error: { code: 'upstream_unavailable', message: 'Vendor 503' } }, { status: 502 }),
      RETURNS_REPLY,
    ]);
    // The backoff's jitter fixed at 10 s: the automatic retry cannot come before the click.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    onTestFinished(() => random.mockRestore());
    const { user, dialog } = await openChat(proxy.fetch, { baseDelayMs: 20_000 });
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Can I return sale items?{Enter}');
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toMatch(/No answer yet\. Retrying( in \d s)?/);
    expect(alert.textContent).not.toContain('Vendor 503');
    expect(within(dialog).queryByText('Not sent')).toBeNull();

    await user.click(within(alert).getByRole('button', { name: 'Retry now' }));
    await within(dialog).findByText('30 days');
    expect(proxy.bodies.map((body) => body.message)).toEqual(['Can I return sale items?', 'Can I return sale items?']);
    expect(new Set(proxy.keys).size).toBe(1);
    expect(within(dialog).queryByRole('alert')).toBeNull();
  });

  it('explains a failure that cannot pass by itself in plain words, and Retry sends the same text again', async () => {
    const proxy = fakeProxy([
      () => Response.json({ error: { code: 'internal', message: 'Something broke' } }, { status: 500 }),
      RETURNS_REPLY,
    ]);
    // The backoff's jitter fixed at 10 s: the automatic retry cannot come before the click.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    onTestFinished(() => random.mockRestore());
    const { user, dialog } = await openChat(proxy.fetch, { baseDelayMs: 20_000 });
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Can I return sale items?{Enter}');
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('temporarily unavailable');
    expect(alert.textContent).not.toContain('Something broke');
    expect(within(dialog).getByText('Not sent')).toBeTruthy();

    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await within(dialog).findByText('30 days');
    expect(proxy.bodies.map((body) => body.message)).toEqual(['Can I return sale items?', 'Can I return sale items?']);
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(within(dialog).queryByText('Not sent')).toBeNull();
  });

  it.each([
    ['online', true],
    ['offline', false],
  ])('sends once when Enter is pressed twice fast (%s)', async (_, online) => {
    const proxy = fakeProxy([RETURNS_REPLY, RETURNS_REPLY]);
    let goOnline = () => {};
    const connectivity = {
      isOnline: () => online,
      subscribe: (listener: (online: boolean) => void) => {
        goOnline = () => ((online = true), listener(true));
        return () => {};
      },
    };
    const user = userEvent.setup();
    render(<ConciergeWidget endpoint="/api/concierge" fetch={proxy.fetch} connectivity={connectivity} />);
    await user.click(screen.getByRole('button', { name: 'Open chat' }));
    const dialog = await screen.findByRole('dialog', { name: 'Customer support' });
    const input = within(dialog).getByRole('textbox', { name: 'Message' });
    await user.type(input, 'Returns?');
    act(() => {
      fireEvent.keyDown(input, { key: 'Enter' });
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    act(() => goOnline());
    await within(dialog).findByText('30 days');
    expect(proxy.bodies.map((body) => body.message)).toEqual(['Returns?']);
    expect(within(dialog).getAllByText('Returns?')).toHaveLength(1);
  });

  it('"Ask a follow-up" while a reply streams keeps the order [Q1, A1 interrupted, FAQ question, FAQ answer]', async () => {
    const proxy = fakeProxy([
      sse([['start', { threadId: 't1', messageId: 'm1' }], ['delta', { text: 'Orders ship within' }]], { hold: true }),
      sse([
        ['start', { threadId: 't1', messageId: 'm2' }],
        ['delta', { text: 'Yes, it is dishwasher safe.' }],
        ['done', { threadId: 't1', messageId: 'm2' }],
      ]),
    ]);
    const { user, dialog } = await openChat(proxy.fetch);
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'When does it ship?{Enter}');
    await within(dialog).findByText('Orders ship within');
    act(() => askConcierge('Is it dishwasher safe?', { faqId: 12 }));
    await within(dialog).findByText('Yes, it is dishwasher safe.');
    const articles = within(dialog).getAllByRole('article');
    const status = (article: HTMLElement) => (article.dataset.role === 'user' ? article.dataset.turn : article.dataset.status) ?? '-';
    expect(articles.map((article) => [article.dataset.role, status(article), article.querySelector('.concierge-bubble')!.textContent])).toEqual([
      ['user', 'interrupted', 'When does it ship?'],
      ['assistant', 'interrupted', 'Orders ship within'],
      ['user', 'done', 'Is it dishwasher safe?'],
      ['assistant', '-', 'Yes, it is dishwasher safe.'],
    ]);
    expect(proxy.bodies[1]).toMatchObject({ message: 'Is it dishwasher safe?', faqId: 12, threadId: 't1' });
  });

  it('closes on Escape and gives the focus back to the launcher', async () => {
    const { user, dialog } = await openChat(fakeProxy([]).fetch);
    await user.keyboard('{Escape}');
    expect(dialog.hidden).toBe(true);
    const launcher = screen.getByRole('button', { name: 'Open chat' });
    expect(document.activeElement).toBe(launcher);
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
  });

  it('continues the thread and keeps the conversation after a reload', async () => {
    const proxy = fakeProxy([
      RETURNS_REPLY,
      sse([
        ['start', { threadId: 't1', messageId: 'm2' }],
        ['delta', { text: 'Refunds take 5 business days.' }],
        ['done', { threadId: 't1', messageId: 'm2' }],
      ]),
    ]);
    const { user, dialog } = await openChat(proxy.fetch);
    const input = within(dialog).getByRole('textbox', { name: 'Message' });
    await user.type(input, 'What is your return policy?{Enter}');
    await within(dialog).findByText('30 days');
    await user.type(input, 'How long do refunds take?{Enter}');
    await within(dialog).findByText('Refunds take 5 business days.');
    expect(proxy.bodies[1]).toMatchObject({ message: 'How long do refunds take?', threadId: 't1' });

    // A reload: the page is rendered again from scratch with the same storage.
    document.body.innerHTML = '';
    render(<ConciergeWidget endpoint="/api/concierge" fetch={proxy.fetch} />);
    const reopened = await screen.findByRole('dialog', { name: 'Customer support' });
    expect(within(reopened).getByText('What is your return policy?')).toBeTruthy();
    expect(within(reopened).getByText('Refunds take 5 business days.')).toBeTruthy();
  });

  it('is ready for a click without loading the window until then', async () => {
    await act(async () => {
      render(<ConciergeWidget endpoint="/api/concierge" />);
    });
    expect(screen.getByRole('button', { name: 'Open chat' })).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('the composer', () => {
  it('keeps what was typed while a reply streams, explaining why Enter did not send', async () => {
    const proxy = fakeProxy([sse([['start', { threadId: 't', messageId: 'm' }]], { hold: true })]);
    const { user, dialog } = await openChat(proxy.fetch);
    const input = within(dialog).getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(input, 'First{Enter}');
    await within(dialog).findByRole('button', { name: 'Stop' });
    await user.type(input, 'Second question{Enter}');
    expect(input.value).toBe('Second question');
    expect(within(dialog).getByText('Wait for the reply to finish, or press Stop.')).toBeTruthy();
    expect(proxy.bodies).toHaveLength(1);
  });

  it('keeps an unsent draft across a reload', async () => {
    const { user, dialog } = await openChat(fakeProxy([]).fetch);
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Half-written question');
    document.body.innerHTML = '';
    render(<ConciergeWidget endpoint="/api/concierge" fetch={fakeProxy([]).fetch} />);
    const reopened = await screen.findByRole('dialog', { name: 'Customer support' });
    await waitFor(() =>
      expect((within(reopened).getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).value).toBe('Half-written question'),
    );
  });
});

describe('errors in plain words', () => {
  it('counts a rate limit down with Send disabled, then sends the turn again by itself', async () => {
    const proxy = fakeProxy([
      () =>
        Response.json(
          { error: { code: 'rate_limited', message: 'Too many', retryAfterSeconds: 2 } },
          { status: 429, headers: { 'retry-after': '2' } },
        ),
      RETURNS_REPLY,
    ]);
    const { user, dialog } = await openChat(proxy.fetch);
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Returns?{Enter}');
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Too many messages at once');
    expect(alert.textContent).toContain('Retrying in 2 s');
    expect((within(dialog).getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(alert).queryByRole('button')).toBeNull();
    await waitFor(() => expect(alert.textContent).toContain('Retrying in 1 s'), { timeout: 1500 });
    expect(proxy.bodies).toHaveLength(1);
    await within(dialog).findByText('30 days', {}, { timeout: 2500 });
    expect(proxy.bodies).toHaveLength(2);
    expect((within(dialog).getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it.each([
    ['billing', 402, 'temporarily unavailable'],
    ['unauthorized', 502, 'temporarily unavailable'],
    ['upstream_timeout', 504, 'No answer yet. Retrying'],
    ['upstream_malformed', 502, 'temporarily unavailable'],
  ])('explains %s to the shopper without the server message', async (code, status, words) => {
    // The same answer to the turn sent again by itself (upstream_timeout is retried after a pause):
    // on a slow machine the retry may come before the assertions below.
    const answer = () =>
      Response.json({ error: { code, message: 'Internal detail for the site owner', reason: 'plan_limit_reached' } }, { status });
    const proxy = fakeProxy([answer, answer, answer, answer]);
    const { user, dialog } = await openChat(proxy.fetch);
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Hi{Enter}');
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain(words);
    expect(alert.textContent).not.toContain('Internal detail');
    expect(alert.getAttribute('data-code')).toBe(code);
  });
});

describe('New conversation', () => {
  it('clears the transcript and asks the vendor for a fresh conversation', async () => {
    const proxy = fakeProxy([RETURNS_REPLY, RETURNS_REPLY]);
    const { user, dialog } = await openChat(proxy.fetch);
    expect(within(dialog).queryByRole('button', { name: 'New conversation' })).toBeNull();
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Returns?{Enter}');
    await within(dialog).findByText('30 days');
    await user.click(within(dialog).getByRole('button', { name: 'New conversation' }));
    expect(within(dialog).queryByText('30 days')).toBeNull();
    expect(within(dialog).getByText('Hi! How can I help?')).toBeTruthy();
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Hello{Enter}');
    await within(dialog).findByText('30 days');
    expect(proxy.bodies[1]).toMatchObject({ message: 'Hello', newConversation: true });
    expect(proxy.bodies[1]!.threadId).toBeUndefined();
  });
});

describe('rendering', () => {
  it('the composer does not re-render when a message is added', async () => {
    const proxy = fakeProxy([RETURNS_REPLY]);
    let composerCommits = 0;
    const user = userEvent.setup();
    render(
      <ConciergeProvider endpoint="/api/concierge" fetch={proxy.fetch} storage={null}>
        <MessageList strings={defaultStrings} />
        <Profiler id="composer" onRender={() => composerCommits++}>
          <Composer strings={defaultStrings} draftKey={null} />
        </Profiler>
      </ConciergeProvider>,
    );
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Returns?');
    const beforeSend = composerCommits;
    await user.keyboard('{Enter}');
    await screen.findByText('30 days');
    // Cleared and busy (one batch), then idle again; none for the question or the answer being added.
    expect(composerCommits - beforeSend).toBe(2);
  });
});
