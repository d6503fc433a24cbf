'use client';
import type { MessageContext, ProductCard } from '@concierge/core';
import type { ConciergeProviderProps } from '@concierge/react';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { AskDetail } from './ask';
import { listenForCommands } from './control';
import type { ConciergeEvent, WidgetCallbacks } from './events';
import { Launcher } from './launcher';
import type { NudgeCommand } from './nudge';
import { launcherStrings } from './launcher-strings';
import type { ConciergeStrings } from './strings';

const ChatPanel = lazy(() => import('./chat-panel'));
// Loaded only on pages that ask for a nudge.
const Nudge = lazy(() => import('./nudge'));

export interface ConciergeWidgetProps extends Omit<ConciergeProviderProps, 'children'>, WidgetCallbacks {
  /** Overrides some or all of the English strings. */
  strings?: Partial<ConciergeStrings>;
  /** The assistant's first words in an empty conversation (shown, never sent). */
  greeting?: string;
  /** Open the window at start. @default false, or open again after a reload if it was open */
  defaultOpen?: boolean;
  /** Colour scheme; `auto` follows the shopper's system setting. @default "light" (the stylesheet's own) */
  theme?: 'light' | 'dark' | 'auto';
  /** The brand's colour for the header, launcher, buttons and the shopper's messages. */
  brandColor?: string;
  /**
   * Shows "Add to cart" on the product cards that come with replies, and is called with the
   * product (its catalog id, name, URL, price…). A function: pass it from a client component.
   */
  onAddToCart?: (product: ProductCard) => void;
  /** Questions offered in an empty conversation; a product page's FAQs come first; `false` for none. */
  starters?: string[] | false;
  /** Thumbs up and down under each finished reply. @default true */
  feedback?: boolean;
  /** Offers "Talk to a person": turn on when the proxy has `onHandoff` or a webhook. @default false */
  handoff?: boolean;
}

const OPEN_KEY = 'concierge:open';
const UNREAD_KEY = 'concierge:unread';

/**
 * This tab's value of a key, kept across reloads (after setting it, when a value is given); `null`
 * where storage is refused (a sandboxed frame, blocked site data), so the widget works without it.
 */
function session(key: string, value?: string): string | null {
  try {
    if (value !== undefined) sessionStorage.setItem(key, value);
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * The whole chat: a launcher button at page load, the window loaded on first open.
 *
 * @example
 * <ConciergeWidget endpoint="/api/concierge" greeting="Hi! How can I help?" />
 */
export function ConciergeWidget(props: ConciergeWidgetProps) {
  const { strings: overrides, greeting, defaultOpen = false, theme, brandColor } = props;
  // The latest props, whose callbacks are read when an event happens; the window reports its own
  // events to them. (Passed whole, not picked apart: every byte here is on every page.)
  const callbacks = useRef(props);
  callbacks.current = props;
  /** The launcher's events: open, close and nudges. */
  const emit = (event: ConciergeEvent) => {
    if (event.type === 'open') callbacks.current.onOpen?.();
    else if (event.type === 'close') callbacks.current.onClose?.();
    callbacks.current.onEvent?.(event);
  };
  // The window's own strings load with it; the page has only the launcher's.
  const strings = { ...launcherStrings, ...overrides };
  const root = useRef<HTMLDivElement>(null);

  // Set through the CSSOM, which a strict Content-Security-Policy allows (a style attribute it would not).
  // (An empty value removes it.)
  useEffect(() => root.current?.style.setProperty('--concierge-color-accent', brandColor || ''), [brandColor]);
  const [open, setOpen] = useState(defaultOpen);
  const openRef = useRef(open);
  openRef.current = open;
  // Replies that finished while the window was closed; kept across reloads, cleared by opening.
  const [unread, setUnread] = useState(0);
  const countUnread = (next: (count: number) => number) =>
    setUnread((count) => {
      const value = next(count);
      session(UNREAD_KEY, String(value));
      return value;
    });
  const [loaded, setLoaded] = useState(defaultOpen);
  // The launcher is the root's last element.
  const focusLauncher = () => (root.current?.lastChild as HTMLElement | null)?.focus();
  const [asks, setAsks] = useState<AskDetail[]>([]);

  useEffect(() => {
    setUnread(Number(session(UNREAD_KEY)) || 0);
    if (session(OPEN_KEY) === '1') {
      setOpen(true);
      setLoaded(true);
    }
  }, []);

  // A nudge by the launcher, and the assistant's first words once it was clicked.
  const [nudge, setNudge] = useState<NudgeCommand | null>(null);
  const [nudgeGreeting, setNudgeGreeting] = useState<string | null>(null);
  const endNudge = (text: string, action: 'clicked' | 'dismissed') => {
    if (action === 'clicked') {
      setNudgeGreeting(text);
      setOpenAndRemember(true);
    } else focusLauncher();
  };

  // Control from code (`concierge.open()`…), including commands given before this mounted.
  const extraContext = useRef<MessageContext>({});
  const [resetRequest, setResetRequest] = useState(0);
  useEffect(
    () =>
      listenForCommands((command) => {
        // Handled by the nudge's own module, loaded by the first one.
        if (command.type === 'nudge' || command.type === 'cancelNudge') setNudge(command);
        else if (command.type === 'open') setOpenAndRemember(true);
        else if (command.type === 'close') setOpenAndRemember(false);
        else if (command.type === 'toggle') setOpenAndRemember(!openRef.current);
        else if (command.type === 'send') {
          setAsks((list) => [...list, { message: command.message, fields: command.fields }]);
          setOpenAndRemember(true);
        } else if (command.type === 'setContext') extraContext.current = { ...command.context };
        else {
          setLoaded(true);
          setResetRequest((count) => count + 1);
        }
      }),
    [],
  );

  const setOpenAndRemember = (next: boolean) => {
    if (next !== openRef.current) emit({ type: next ? 'open' : 'close' });
    openRef.current = next;
    setOpen(next);
    if (next) {
      setLoaded(true);
      countUnread(() => 0);
    }
    session(OPEN_KEY, next ? '1' : '0');
    if (!next) focusLauncher();
  };

  return (
    <div
      ref={root}
      className="concierge"
      data-state={open ? 'open' : 'closed'}
      data-theme={theme}
      dir={strings.dir}
      lang={strings.locale}
    >
      {loaded && (
        <Suspense fallback={<div className="concierge-window concierge-loading" role="status" aria-label={strings.typing} />}>
          <ChatPanel
            {...props}
            extraContext={extraContext}
            open={open}
            onClose={() => setOpenAndRemember(false)}
            strings={overrides}
            greeting={nudgeGreeting ?? greeting}
            asks={asks}
            resetRequest={resetRequest}
            callbacks={callbacks.current}
            onEvent={(event) => {
              // A reply the shopper did not see arrive is counted on the launcher.
              if (event.type === 'reply_finished' && !openRef.current) countUnread((count) => count + 1);
            }}
          />
        </Suspense>
      )}
      <div className="concierge-nudge-region" role="status">
        {nudge && (
          <Suspense>
            <Nudge command={nudge} hidden={open} dismissLabel={strings.dismiss} onEvent={emit} onEnd={endNudge} />
          </Suspense>
        )}
      </div>
      <Launcher
        open={open}
        label={open ? strings.closeChat : unread ? strings.openChatUnread(unread) : strings.openChat}
        unread={unread}
        onClick={() => setOpenAndRemember(!open)}
        onPointerEnter={() => void import('./chat-panel')}
      />
    </div>
  );
}
