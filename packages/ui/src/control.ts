import type { MessageContext } from '@concierge/core';

/** What code on the page can tell the widget to do. */
export type ConciergeCommand =
  | { type: 'open' }
  | { type: 'close' }
  | { type: 'toggle' }
  | { type: 'send'; message: string; fields?: MessageContext }
  | { type: 'setContext'; context: MessageContext }
  | { type: 'reset' }
  | { type: 'nudge'; id: number; text: string; delayMs?: number; cooldownMs?: number }
  | { type: 'cancelNudge'; id: number };

export interface NudgeOptions {
  /** The bubble's text, and the assistant's first words when it is clicked. */
  text: string;
  /** Wait this long before showing it. @default 0 */
  delayMs?: number;
  /** Once dismissed (or clicked), no nudge shows on this device for this long. @default 24 hours */
  cooldownMs?: number;
}

/** The DOM event a mounted `<ConciergeWidget>` listens for. */
export const COMMAND_EVENT = 'concierge:command';

interface CommandWindow {
  /** Commands given before a widget was on the page; the widget runs them when it mounts. */
  __conciergeQueue?: ConciergeCommand[];
  __conciergeReady?: number;
}

function command(detail: ConciergeCommand): void {
  if (typeof window === 'undefined') return;
  const page = window as Window & CommandWindow;
  if (page.__conciergeReady) window.dispatchEvent(new CustomEvent<ConciergeCommand>(COMMAND_EVENT, { detail }));
  else (page.__conciergeQueue ??= []).push(detail);
}

/** Called by a mounted widget: it now hears commands, and gets those given before it was there. */
export function listenForCommands(run: (command: ConciergeCommand) => void): () => void {
  const page = window as Window & CommandWindow;
  const onCommand = (event: Event) => run((event as CustomEvent<ConciergeCommand>).detail);
  window.addEventListener(COMMAND_EVENT, onCommand);
  page.__conciergeReady = (page.__conciergeReady ?? 0) + 1;
  page.__conciergeQueue?.splice(0).forEach(run);
  return () => {
    window.removeEventListener(COMMAND_EVENT, onCommand);
    page.__conciergeReady!--;
  };
}

let nudges = 0;

/**
 * The page's chat widget, from any code: React or not, before or after the widget has loaded
 * (commands given earlier wait for it). Does nothing on the server.
 *
 * @example
 * import { concierge } from '@concierge/ui';
 * document.querySelector('#help')!.addEventListener('click', () => concierge.open());
 * concierge.send('Is this in stock?', { metadata: { sku: 'MCS-NAVY-M' } });
 */
export const concierge = {
  open: () => command({ type: 'open' }),
  close: () => command({ type: 'close' }),
  toggle: () => command({ type: 'toggle' }),
  /** Opens the window and sends `message`, with request fields for this message only. */
  send: (message: string, fields?: MessageContext) => command({ type: 'send', message, ...(fields ? { fields } : {}) }),
  /** Fields sent with every later message (e.g. the product on screen), over the page's URL and language. */
  setContext: (context: MessageContext) => command({ type: 'setContext', context }),
  /** Starts a new conversation. */
  reset: () => command({ type: 'reset' }),
  /**
   * Shows a small bubble by the launcher after `delayMs`, unless the window is open or a nudge was
   * dismissed lately. A later nudge replaces one that is waiting. Returns a function that cancels
   * it (e.g. an effect's cleanup when the shopper leaves the page).
   */
  nudge: (options: NudgeOptions): (() => void) => {
    if (typeof options?.text !== 'string' || !options.text.trim()) throw new TypeError('nudge: text is required');
    const id = ++nudges;
    command({ type: 'nudge', ...options, id, text: options.text.trim() });
    return () => command({ type: 'cancelNudge', id });
  },
};

/** The same controls in React: `const { open, send } = useConciergeWidget()`. */
export function useConciergeWidget(): typeof concierge {
  return concierge;
}
