'use client';
import { useEffect, useState, type KeyboardEvent } from 'react';
import type { ConciergeEvent } from './events';

/** When a nudge was last dismissed or clicked, on this device (localStorage). */
const NUDGED_KEY = 'concierge:nudged';

export interface NudgeRequest {
  /** A new id is a new nudge. */
  id: number;
  text: string;
  delayMs?: number;
  cooldownMs?: number;
}

/** What the page said last: a nudge, or to cancel one. */
export type NudgeCommand = ({ type: 'nudge' } & NudgeRequest) | { type: 'cancelNudge'; id: number };

export interface NudgeProps {
  /** The latest command; a new object is a new command. */
  command: NudgeCommand;
  /** The window is open: a nudge waiting goes, and none shows. */
  hidden: boolean;
  dismissLabel: string;
  /** Its `nudge` events: shown, clicked, dismissed. */
  onEvent: (event: ConciergeEvent) => void;
  /** The shopper clicked the bubble (open the chat) or dismissed it. */
  onEnd: (text: string, action: 'clicked' | 'dismissed') => void;
}

/**
 * A small bubble by the launcher, shown after the request's delay unless the window is open or a
 * nudge was dismissed lately on this device. Clicking it opens the chat; × (or Escape) dismisses it.
 * It never takes focus and slides in only when the shopper allows motion. Render it inside a polite
 * live region, so it is announced. Loaded only when a page asks for a nudge.
 */
export default function Nudge({ command, hidden, dismissLabel, onEvent, onEnd }: NudgeProps) {
  const [request, setRequest] = useState<NudgeRequest | null>(null);
  const [shown, setShown] = useState<number | null>(null);
  // A later nudge replaces one that is waiting (none while the window is open); a cancel drops its
  // own nudge only.
  useEffect(() => setRequest((current) => (command.type === 'nudge' ? (hidden ? null : command) : current?.id === command.id ? null : current)), [command]);
  // Opening the window drops a nudge still waiting.
  useEffect(() => {
    if (hidden) setRequest(null);
  }, [hidden]);
  useEffect(() => {
    if (!request) return;
    const timer = setTimeout(() => {
      let last = 0;
      try {
        last = Number(localStorage.getItem(NUDGED_KEY)) || 0;
      } catch {
        // No storage: no memory of an earlier nudge.
      }
      if (hidden || Date.now() - last < (request.cooldownMs ?? 86_400_000)) return;
      setShown(request.id);
      onEvent({ type: 'nudge', action: 'shown', text: request.text });
    }, request.delayMs ?? 0);
    return () => clearTimeout(timer);
    // A new request starts over; opening the window before its time cancels it.
  }, [request, hidden]);

  if (hidden || !request || shown !== request.id) return null;
  const end = (action: 'clicked' | 'dismissed') => {
    setShown(null);
    try {
      localStorage.setItem(NUDGED_KEY, String(Date.now()));
    } catch {
      // Storage refused: the nudge may come back on the next page.
    }
    onEvent({ type: 'nudge', action, text: request.text });
    onEnd(request.text, action);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') end('dismissed');
  };
  return (
    <div className="concierge-nudge" onKeyDown={onKeyDown}>
      <button type="button" className="concierge-nudge-text" onClick={() => end('clicked')}>
        {request.text}
      </button>
      <button type="button" className="concierge-nudge-close" aria-label={dismissLabel} onClick={() => end('dismissed')}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="14" height="14">
          <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
      </button>
    </div>
  );
}
