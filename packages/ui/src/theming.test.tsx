import { createMockTransport } from '@concierge/core';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ConciergeWidget } from './concierge-widget';
import { ar } from './locales/ar';
import { fr } from './locales/fr';

describe('localization', () => {
  it('speaks Arabic right to left, with every string from the messages object', async () => {
    const user = userEvent.setup();
    const { container } = render(<ConciergeWidget transport={createMockTransport({ delayMs: 0 })} strings={ar.chat} />);
    const root = container.querySelector('.concierge')!;
    expect(root.getAttribute('dir')).toBe('rtl');
    expect(root.getAttribute('lang')).toBe('ar');
    await user.click(screen.getByRole('button', { name: 'افتح المحادثة' }));
    const dialog = await screen.findByRole('dialog', { name: 'خدمة العملاء' });
    await user.type(within(dialog).getByRole('textbox', { name: 'الرسالة' }), 'مرحبا{Enter}');
    const time = (await within(dialog).findAllByText((_, element) => element?.tagName === 'TIME'))[0]!;
    const expected = new Intl.DateTimeFormat('ar', { hour: 'numeric', minute: '2-digit' }).format(new Date(time.getAttribute('datetime')!));
    expect(time.textContent).toBe(expected);
    expect(await within(dialog).findByRole('button', { name: 'إرسال' })).toBeTruthy();
  });

  it('sends the language of its strings to the vendor', async () => {
    const user = userEvent.setup();
    const bodies: { locale?: string }[] = [];
    const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)));
      return Response.json({ error: { code: 'upstream_unavailable', message: 'x' } }, { status: 502 });
    };
    render(<ConciergeWidget endpoint="/api/concierge" fetch={fetch} strings={fr.chat} />);
    await user.click(screen.getByRole('button', { name: 'Ouvrir la discussion' }));
    const dialog = await screen.findByRole('dialog', { name: 'Service client' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Bonjour{Enter}');
    await within(dialog).findByRole('alert');
    expect(bodies[0]?.locale).toBe('fr');
  });

  it('overrides single strings of a language', async () => {
    render(<ConciergeWidget transport={createMockTransport()} strings={{ ...fr.chat, openChat: 'Une question ?' }} />);
    expect(screen.getByRole('button', { name: 'Une question ?' })).toBeTruthy();
  });

  it('has the same keys in every language', () => {
    for (const locale of [ar, fr]) {
      expect(Object.keys(locale.chat).sort()).toEqual(Object.keys(ar.chat).sort());
      expect(Object.keys(locale.chat.errors).sort()).toEqual(Object.keys(ar.chat.errors).sort());
    }
  });
});

describe('theming', () => {
  it('sets the theme and brand colour without a style attribute in the markup', () => {
    const { container, rerender } = render(<ConciergeWidget transport={createMockTransport()} theme="dark" brandColor="#7a1fa2" />);
    const root = container.querySelector<HTMLElement>('.concierge')!;
    expect(root.dataset.theme).toBe('dark');
    expect(root.style.getPropertyValue('--concierge-color-accent')).toBe('#7a1fa2');
    rerender(<ConciergeWidget transport={createMockTransport()} theme="auto" />);
    expect(root.dataset.theme).toBe('auto');
    expect(root.style.getPropertyValue('--concierge-color-accent')).toBe('');
  });
});
