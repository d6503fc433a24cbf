'use client';
import {
  createChatSession,
  type Connectivity,
  createHttpTransport,
  type MessageContext,
  type SessionStorage,
  type Transport,
} from '@concierge/core';
import { QueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ConciergeContext, type ConciergeContextValue } from './context';

export interface ConciergeProviderProps {
  /** Base URL of the Concierge proxy. @default "/api/concierge" */
  endpoint?: string;
  /** `fetch` used by the HTTP transport, e.g. to add credentials. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request to the proxy. */
  headers?: Record<string, string>;
  /** Replaces the HTTP transport (tests, Storybook, custom backends). */
  transport?: Transport;
  /** Query client for thread history; one is created when omitted. */
  queryClient?: QueryClient;
  /** Where the transcript persists; `null` keeps it in memory. @default localStorage */
  storage?: SessionStorage | null;
  /** Storage key of the conversation. @default "concierge:thread" */
  storageKey?: string;
  /** The device's connection; messages written offline wait for it. @default the browser's */
  connectivity?: Connectivity;
  /** Fields sent with every message (page URL, locale, metadata); read at send time. */
  context?: MessageContext | (() => MessageContext);
  children?: ReactNode;
}

/**
 * Holds one conversation for the components below it. Each provider has its own store.
 *
 * @example
 * <ConciergeProvider endpoint="/api/concierge"><Chat /></ConciergeProvider>
 */
export function ConciergeProvider(props: ConciergeProviderProps) {
  const latest = useRef(props);
  latest.current = props;
  const [value] = useState<ConciergeContextValue>(() => {
    const transport =
      props.transport ??
      createHttpTransport({ endpoint: props.endpoint ?? '/api/concierge', fetch: props.fetch, headers: props.headers });
    const session = createChatSession({
      transport,
      storage: props.storage,
      storageKey: props.storageKey,
      connectivity: props.connectivity,
      context: () => {
        const context = latest.current.context;
        return (typeof context === 'function' ? context() : context) ?? {};
      },
    });
    return { session, transport, queryClient: props.queryClient ?? new QueryClient() };
  });

  // A layout effect runs before the children's effects, so a message they send on mount lands
  // after the restored transcript. Nothing runs on the server.
  useClientLayoutEffect(() => {
    value.session.restore();
    return () => value.session.stop();
  }, [value]);

  return <ConciergeContext.Provider value={value}>{props.children}</ConciergeContext.Provider>;
}

const useClientLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;
