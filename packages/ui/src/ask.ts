import type { MessageContext } from '@concierge/core';
import { concierge } from './control';

export interface AskDetail {
  message: string;
  fields?: MessageContext;
}

/**
 * Opens the page's chat widget and sends `message` in its thread, e.g. a product FAQ with its
 * `faqId`, so the shopper can ask a follow-up. The same as `concierge.send`: it waits for a widget
 * that is not on the page yet. Does nothing on the server.
 *
 * @example
 * askConcierge('Is it dishwasher safe?', { faqId: 123 })
 */
export function askConcierge(message: string, fields?: MessageContext): void {
  concierge.send(message, fields);
}
