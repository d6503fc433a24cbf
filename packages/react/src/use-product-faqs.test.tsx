import { ConciergeError, type ProductFaqsResponse, type Transport } from '@concierge/core';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConciergeProvider } from './provider';
import { useProductFaqs } from './use-product-faqs';

/** A transport answering product-FAQs requests from a script, recording when each came. */
function faqTransport(answers: (ProductFaqsResponse | Error)[]) {
  const calls: { at: number; request: unknown }[] = [];
  const transport: Transport = {
    sendMessage: () => {
      throw new Error('not used');
    },
    getThread: () => Promise.reject(new Error('not used')),
    async getProductFaqs(request) {
      calls.push({ at: Date.now(), request });
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const wrapper = ({ children }: { children: ReactNode }) => (
    <ConciergeProvider transport={transport} storage={null}>
      {children}
    </ConciergeProvider>
  );
  return { transport, calls, wrapper };
}

const tick = (milliseconds: number) => act(() => vi.advanceTimersByTimeAsync(milliseconds));
const READY: ProductFaqsResponse = { status: 'ready', faqs: [{ id: 1, question: 'Is it warm?', answer: 'Very.' }] };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('useProductFaqs', () => {
  it('polls while generating, never sooner than Retry-After, until the FAQs are ready', async () => {
    const { calls, wrapper } = faqTransport([
      { status: 'generating', retryAfterSeconds: 3 },
      { status: 'generating', retryAfterSeconds: 2 },
      READY,
    ]);
    const start = Date.now();
    const { result } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/p/1', count: 3 }), { wrapper });
    expect(result.current.status).toBe('loading');
    await tick(0);
    expect(result.current).toMatchObject({ status: 'generating', retryAfterSeconds: 3, faqs: [] });
    await tick(2_999);
    expect(calls).toHaveLength(1);
    await tick(1);
    expect(calls).toHaveLength(2);
    await tick(10);
    expect(result.current.retryAfterSeconds).toBe(2);
    await tick(2_000);
    expect(calls).toHaveLength(3);
    expect(result.current).toMatchObject({ status: 'ready', faqs: READY.status === 'ready' ? READY.faqs : [] });
    expect(calls.map((call) => call.at - start)).toEqual([0, 3_000, 5_000]);
    expect(calls[0]!.request).toEqual({ pageUrl: 'https://shop.example/p/1', locale: 'en', count: 3 });
    await tick(60_000);
    expect(calls).toHaveLength(3);
  });

  it('reports not_available without polling', async () => {
    const { calls, wrapper } = faqTransport([{ status: 'not_available', faqs: [] }]);
    const { result } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/about' }), { wrapper });
    await tick(0);
    expect(result.current.status).toBe('not_available');
    await tick(30_000);
    expect(calls).toHaveLength(1);
  });

  it('stops polling after the bound with a clear error, and can try again', async () => {
    const { calls, wrapper } = faqTransport([{ status: 'generating', retryAfterSeconds: 5 }]);
    const { result } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/p/2', maxWaitSeconds: 12 }), { wrapper });
    await tick(0);
    await tick(11_999);
    expect(result.current.status).toBe('generating');
    await tick(1);
    expect(result.current.status).toBe('error');
    expect(result.current.error?.message).toMatch(/taking too long/);
    const polls = calls.length;
    await tick(60_000);
    expect(calls).toHaveLength(polls);
    act(() => result.current.refetch());
    await tick(0);
    expect(calls).toHaveLength(polls + 1);
    expect(result.current.status).toBe('generating');
  });

  it('shows server data at once without a request', async () => {
    const { calls, wrapper } = faqTransport([READY]);
    const { result } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/p/3', initialData: READY }), { wrapper });
    expect(result.current.status).toBe('ready');
    await tick(1_000);
    expect(calls).toHaveLength(0);
  });

  it('asks once for a page two components show, and shares the answer', async () => {
    const { calls, wrapper } = faqTransport([READY]);
    const { result } = renderHook(
      () => [useProductFaqs({ pageUrl: 'https://shop.example/p/4' }), useProductFaqs({ pageUrl: 'https://shop.example/p/4' })],
      { wrapper },
    );
    await tick(0);
    expect(result.current.map((faqs) => faqs.status)).toEqual(['ready', 'ready']);
    expect(calls).toHaveLength(1);
  });

  it('tries a failure that may pass again after 1 s and 2 s, then reports it; one that cannot pass at once', async () => {
    const unavailable = new ConciergeError({ code: 'upstream_unavailable', message: 'down' });
    const { calls, wrapper } = faqTransport([unavailable, unavailable, unavailable]);
    const start = Date.now();
    const { result } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/p/5' }), { wrapper });
    await tick(2_999);
    expect(result.current.status).toBe('loading');
    await tick(1);
    expect(calls.map((call) => call.at - start)).toEqual([0, 1_000, 3_000]);
    expect(result.current).toMatchObject({ status: 'error', error: { code: 'upstream_unavailable' } });

    const invalid = new ConciergeError({ code: 'invalid_request', message: 'bad' });
    const other = faqTransport([invalid]);
    const { result: refused } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/p/6' }), { wrapper: other.wrapper });
    await tick(0);
    expect(refused.current.status).toBe('error');
    expect(other.calls).toHaveLength(1);
  });

  it('keeps polling after a poll fails while the FAQs generate', async () => {
    const refused = new ConciergeError({ code: 'invalid_request', message: 'refused' });
    const { calls, wrapper } = faqTransport([{ status: 'generating', retryAfterSeconds: 2 }, refused, READY]);
    const { result } = renderHook(() => useProductFaqs({ pageUrl: 'https://shop.example/p/7' }), { wrapper });
    await tick(0);
    expect(result.current.status).toBe('generating');
    await tick(2_000);
    expect(calls).toHaveLength(2);
    expect(result.current.status).toBe('generating');
    await tick(2_000);
    expect(calls).toHaveLength(3);
    expect(result.current.status).toBe('ready');
  });
});
