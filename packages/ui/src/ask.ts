import type { MessageContext } from '@concierge/core';

/** The DOM event a `<ConciergeWidget>` on the page listens for. */
export const ASK_EVENT = 'concierge:ask';

export interface AskDetail {
  message: string;
  fields?: MessageContext;
}

/**
 * Opens the page's chat widget and sends `message` in its thread, e.g. a product FAQ with its
 * `faqId`, so the shopper can ask a follow-up. Does nothing on the server.
 *
 * @example
 * askConcierge('Is it dishwasher safe?', { faqId: 123 })
 */
export function askConcierge(message: string, fields?: MessageContext): void {
  if (typeof window === 'undefined') return;
  window.dispatchEvent(new CustomEvent<AskDetail>(ASK_EVENT, { detail: { message, fields } }));
}
