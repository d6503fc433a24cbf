'use client';
import type { MessageContext, ProductCard } from '@concierge/core';
import type { ConciergeProviderProps } from '@concierge/react';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { ASK_EVENT, type AskDetail } from './ask';
import { listenForCommands } from './control';
import { type ConciergeEvent, EventsContext } from './events';
import { Launcher } from './launcher';
import { Nudge } from './nudge';
import { defaultStrings, type ConciergeStrings } from './strings';

const ChatPanel = lazy(() => import('./chat-panel'));

export interface ConciergeWidgetProps extends Omit<ConciergeProviderProps, 'children'> {
  /** Overrides some or all of the English strings. */
  strings?: Partial<ConciergeStrings>;
  /** The assistant's first words in an empty conversation (shown, never sent). */
  greeting?: string;
  /** Open the window at start. @default false, or open again after a reload if it was open */
  defaultOpen?: boolean;
  /** Colour scheme; `auto` follows the shopper's system setting. @default "light" */
  theme?: 'light' | 'dark' | 'auto';
  /** The brand's colour for the header, launcher, buttons and the shopper's messages. */
  brandColor?: string;
  /**
   * Shows "Add to cart" on the product cards that come with replies, and is called with the
   * product (its catalog id, name, URL, price…). A function: pass it from a client component.
   */
  onAddToCart?: (product: ProductCard) => void;
  /** Every event below, in one stream, for analytics. */
  onEvent?: (event: ConciergeEvent) => void;
  onOpen?: () => void;
  onClose?: () => void;
  onMessageSent?: (event: Extract<ConciergeEvent, { type: 'message_sent' }>) => void;
  onReplyFinished?: (event: Extract<ConciergeEvent, { type: 'reply_finished' }>) => void;
  onError?: (event: Extract<ConciergeEvent, { type: 'error' }>) => void;
  onProductClick?: (product: ProductCard) => void;
  /** The proxy recorded a shopper's thumbs up or down (and comment). */
  onFeedback?: (event: Extract<ConciergeEvent, { type: 'feedback' }>) => void;
  /** A shopper asked for a person and the proxy passed it on. */
  onHandoff?: (event: Extract<ConciergeEvent, { type: 'handoff' }>) => void;
  /** Questions offered in an empty conversation; a product page's FAQs come first; `false` for none. */
  starters?: string[] | false;
  /** Thumbs up and down under each finished reply. @default true */
  feedback?: boolean;
  /** Offers "Talk to a person": turn on when the proxy has `onHandoff` or a webhook. @default false */
  handoff?: boolean;
}

const OPEN_KEY = 'concierge:open';
const UNREAD_KEY = 'concierge:unread';
/** When a nudge was last dismissed or clicked, on this device (localStorage). */
const NUDGED_KEY = 'concierge:nudged';

/** Keeps a value for this tab across reloads; in private mode it lives until the page goes. */
function remember(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // Storage refused: nothing to keep.
  }
}

/** Sends the current page URL and the shopper's language with every message. */
function pageContext(language?: string): MessageContext {
  const context: MessageContext = {};
  if (/^https?:/.test(location.href)) context.pageUrl = location.href;
  const locale = language || document.documentElement.lang || navigator.language;
  if (locale) context.locale = locale;
  return context;
}

/**
 * The whole chat: a launcher button at page load, the window loaded on first open.
 *
 * @example
 * <ConciergeWidget endpoint="/api/concierge" greeting="Hi! How can I help?" />
 */
export function ConciergeWidget({
  strings: overrides,
  greeting,
  defaultOpen = false,
  theme = 'light',
  brandColor,
  onEvent,
  onOpen,
  onClose,
  onMessageSent,
  onReplyFinished,
  onError,
  onProductClick,
  onFeedback,
  onHandoff,
  ...provider
}: ConciergeWidgetProps) {
  // The latest callbacks, read when an event happens.
  const callbacks = useRef({ onEvent, onOpen, onClose, onMessageSent, onReplyFinished, onError, onProductClick, onFeedback, onHandoff });
  callbacks.current = { onEvent, onOpen, onClose, onMessageSent, onReplyFinished, onError, onProductClick, onFeedback, onHandoff };
  // Stable, so the parts that report events do not re-render when the widget does.
  const emit = useCallback((event: ConciergeEvent) => {
    const current = callbacks.current;
    if (event.type === 'open') current.onOpen?.();
    else if (event.type === 'close') current.onClose?.();
    else if (event.type === 'message_sent') current.onMessageSent?.(event);
    else if (event.type === 'reply_finished') {
      current.onReplyFinished?.(event);
      // Counted on the launcher when the shopper did not see it arrive.
      if (!openRef.current) countUnread(Number(sessionStorage.getItem(UNREAD_KEY)) + 1);
    } else if (event.type === 'error') current.onError?.(event);
    else if (event.type === 'product_click') current.onProductClick?.(event.product);
    else if (event.type === 'feedback') current.onFeedback?.(event);
    else if (event.type === 'handoff') current.onHandoff?.(event);
    current.onEvent?.(event);
    // Reads only refs and state setters.
  }, []);
  const strings = { ...defaultStrings, ...overrides };
  const root = useRef<HTMLDivElement>(null);

  // Set through the CSSOM, which a strict Content-Security-Policy allows (a style attribute it would not).
  useEffect(() => {
    if (brandColor) root.current?.style.setProperty('--concierge-color-accent', brandColor);
    else root.current?.style.removeProperty('--concierge-color-accent');
  }, [brandColor]);
  const [open, setOpen] = useState(defaultOpen);
  const openRef = useRef(open);
  openRef.current = open;
  // Replies that finished while the window was closed; kept across reloads, cleared by opening.
  const [unread, setUnread] = useState(0);
  const countUnread = (next: number) => {
    setUnread(next);
    remember(UNREAD_KEY, String(next));
  };
  const [loaded, setLoaded] = useState(defaultOpen);
  const launcher = useRef<HTMLButtonElement>(null);
  const [ask, setAsk] = useState<AskDetail | null>(null);

  useEffect(() => {
    setUnread(Number(sessionStorage.getItem(UNREAD_KEY)) || 0);
    if (sessionStorage.getItem(OPEN_KEY) === '1') {
      setOpen(true);
      setLoaded(true);
    }
  }, []);

  // A nudge by the launcher, and the assistant's first words once it was clicked.
  const [nudge, setNudge] = useState<string | null>(null);
  const [nudgeGreeting, setNudgeGreeting] = useState<string | null>(null);
  const nudgeTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const nudgeId = useRef(0);
  useEffect(() => () => clearTimeout(nudgeTimer.current), []);
  const endNudge = (text: string, action: 'clicked' | 'dismissed') => {
    setNudge(null);
    try {
      localStorage.setItem(NUDGED_KEY, String(Date.now()));
    } catch {
      // Storage refused: the nudge may come back on the next page.
    }
    emit({ type: 'nudge', action, text });
    if (action === 'clicked') {
      setNudgeGreeting(text);
      setOpenAndRemember(true);
    } else launcher.current?.focus();
  };

  // Control from code (`concierge.open()`…), including commands given before this mounted.
  const extraContext = useRef<MessageContext>({});
  const [resetRequest, setResetRequest] = useState(0);
  useEffect(
    () =>
      listenForCommands((command) => {
        if (command.type === 'cancelNudge') {
          if (nudgeId.current !== command.id) return;
          clearTimeout(nudgeTimer.current);
          setNudge(null);
          return;
        }
        if (command.type === 'nudge') {
          clearTimeout(nudgeTimer.current);
          nudgeId.current = command.id;
          nudgeTimer.current = setTimeout(() => {
            let last = 0;
            try {
              last = Number(localStorage.getItem(NUDGED_KEY)) || 0;
            } catch {
              // No storage: no memory of an earlier nudge.
            }
            if (openRef.current || Date.now() - last < (command.cooldownMs ?? 86_400_000)) return;
            setNudge(command.text);
            emit({ type: 'nudge', action: 'shown', text: command.text });
          }, command.delayMs ?? 0);
          return;
        }
        if (command.type === 'open') setOpenAndRemember(true);
        else if (command.type === 'close') setOpenAndRemember(false);
        else if (command.type === 'toggle') setOpenAndRemember(!openRef.current);
        else if (command.type === 'send') {
          setAsk({ message: command.message, fields: command.fields });
          setOpenAndRemember(true);
        } else if (command.type === 'setContext') extraContext.current = { ...command.context };
        else {
          setLoaded(true);
          setResetRequest((count) => count + 1);
        }
      }),
    [],
  );

  useEffect(() => {
    const onAsk = (event: Event) => {
      setAsk({ ...(event as CustomEvent<AskDetail>).detail });
      setOpen(true);
      setLoaded(true);
    };
    window.addEventListener(ASK_EVENT, onAsk);
    return () => window.removeEventListener(ASK_EVENT, onAsk);
  }, []);

  const setOpenAndRemember = (next: boolean) => {
    if (next !== openRef.current) emit({ type: next ? 'open' : 'close' });
    openRef.current = next;
    setOpen(next);
    if (next) {
      setLoaded(true);
      countUnread(0);
      setNudge(null);
    }
    remember(OPEN_KEY, next ? '1' : '0');
    if (!next) launcher.current?.focus();
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
        <EventsContext.Provider value={emit}>
          <Suspense fallback={<div className="concierge-window concierge-loading" role="status" aria-label={strings.typing} />}>
            <ChatPanel
              {...provider}
              context={() => {
                const base = typeof provider.context === 'function' ? provider.context() : (provider.context ?? pageContext(overrides?.locale));
                return { ...base, ...extraContext.current };
              }}
              open={open}
              onClose={() => setOpenAndRemember(false)}
              strings={strings}
              greeting={nudgeGreeting ?? greeting}
              ask={ask}
              resetRequest={resetRequest}
              onEvent={emit}
            />
          </Suspense>
        </EventsContext.Provider>
      )}
      <Nudge text={open ? null : nudge} dismissLabel={strings.dismiss} onOpen={() => endNudge(nudge!, 'clicked')} onDismiss={() => endNudge(nudge!, 'dismissed')} />
      <Launcher
        ref={launcher}
        open={open}
        label={open ? strings.closeChat : unread ? strings.openChatUnread(unread) : strings.openChat}
        unread={unread}
        onClick={() => setOpenAndRemember(!open)}
        onPointerEnter={() => void import('./chat-panel')}
      />
    </div>
  );
}
