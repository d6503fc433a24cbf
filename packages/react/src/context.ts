'use client';
import type { ChatSession, Transport } from '@concierge/core';
import { createContext, useContext } from 'react';

export interface ConciergeContextValue {
  session: ChatSession;
  /** The transport of the provider's latest props. */
  transport: Transport;
}

export const ConciergeContext = createContext<ConciergeContextValue | null>(null);

/** Thrown when a Concierge hook is used outside a `<ConciergeProvider>`. */
export class MissingProviderError extends Error {
  constructor(hook: string) {
    super(`${hook} must be used inside <ConciergeProvider>.`);
    this.name = 'MissingProviderError';
  }
}

/** The provider's session and transport, for building your own hooks. */
export function useConcierge(hook = 'useConcierge'): ConciergeContextValue {
  const value = useContext(ConciergeContext);
  if (!value) throw new MissingProviderError(hook);
  return value;
}
