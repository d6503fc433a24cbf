'use client';
import {
  createChatSession,
  type Connectivity,
  createHttpTransport,
  type MessageContext,
  type RetryOptions,
  type SessionStorage,
  type Transport,
} from '@concierge/core';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ConciergeContext, type ConciergeContextValue } from './context';

export interface ConciergeProviderProps {
  /** Base URL of the Concierge proxy; a change applies to the next request. @default "/api/concierge" */
  endpoint?: string;
  /** `fetch` used by the HTTP transport, e.g. to add credentials. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request to the proxy; a change (e.g. a refreshed token) applies to the next request. */
  headers?: Record<string, string>;
  /** Replaces the HTTP transport (tests, Storybook, custom backends). */
  transport?: Transport;
  /** Where the conversation persists; `null` keeps it in memory. Read once, at mount. @default localStorage */
  storage?: SessionStorage | null;
  /** Storage key of the conversation; tabs with the same key stay in step. Read once. @default "concierge:thread" */
  storageKey?: string;
  /** The device's connection; messages written offline wait for it. Read once. @default the browser's */
  connectivity?: Connectivity;
  /** Automatic retries of transient failures (`{ maxAttempts: 1 }` turns them off). Read once. */
  retry?: RetryOptions;
  /** Fields sent with every message (page URL, locale, metadata); read when the shopper presses Send. */
  context?: MessageContext | (() => MessageContext);
  children?: ReactNode;
}

/**
 * Holds one conversation for the components below it. Each provider has its own session.
 * `endpoint`, `headers`, `fetch`, `transport` and `context` may change at any time: the next
 * request uses them, without a remount.
 *
 * @example
 * <ConciergeProvider endpoint="/api/concierge"><Chat /></ConciergeProvider>
 */
export function ConciergeProvider(props: ConciergeProviderProps) {
  const latest = useRef(props);
  latest.current = props;
  const [value] = useState<ConciergeContextValue>(() => {
    const http = createHttpTransport({
      endpoint: () => latest.current.endpoint ?? '/api/concierge',
      fetch: (input, init) => (latest.current.fetch ?? globalThis.fetch)(input, init),
      headers: () => latest.current.headers,
    });
    // Always the transport of the latest props, its optional methods included (without
    // `stopReply` a Stop would not reach the proxy, which would go on producing).
    const transport = new Proxy({} as Transport, {
      get(_, name) {
        const current = latest.current.transport ?? http;
        const value = current[name as keyof Transport];
        return typeof value === 'function' ? value.bind(current) : value;
      },
    });
    const session = createChatSession({
      transport,
      storage: props.storage,
      storageKey: props.storageKey,
      connectivity: props.connectivity,
      retry: props.retry,
      context: () => {
        const context = latest.current.context;
        return (typeof context === 'function' ? context() : context) ?? {};
      },
    });
    return { session, transport };
  });

  // A layout effect runs before the children's effects, so a message they send on mount lands
  // after the restored transcript. Nothing runs on the server.
  useClientLayoutEffect(() => value.session.connect(), [value]);

  return <ConciergeContext.Provider value={value}>{props.children}</ConciergeContext.Provider>;
}

const useClientLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;
