import type { Source, ThreadMessage } from '@concierge/core';

/** What a provider is asked to answer. */
export interface ProviderRequest {
  message: string;
  threadId: string;
  /** Earlier messages of the thread, oldest first. */
  history: ThreadMessage[];
  locale?: string;
  pageUrl?: string;
  metadata?: Record<string, string | number | boolean | null>;
  signal: AbortSignal;
}

/** What a provider yields while answering, in order: `delta`*, `sources`, `done`. */
export type ProviderEvent =
  | { type: 'delta'; text: string }
  | { type: 'sources'; sources: Source[] }
  | { type: 'done'; confidence?: number };

/** One answering backend behind the proxy (the local knowledge base, a vendor, a model). */
export interface Provider {
  readonly name: string;
  reply(request: ProviderRequest): AsyncIterable<ProviderEvent>;
}
