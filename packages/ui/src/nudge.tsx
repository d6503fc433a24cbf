'use client';
import type { KeyboardEvent } from 'react';

export interface NudgeProps {
  /** The bubble's text; `null` shows nothing (the polite live region stays, so a new nudge is announced). */
  text: string | null;
  dismissLabel: string;
  onOpen: () => void;
  onDismiss: () => void;
}

/**
 * A small bubble by the launcher: clicking it opens the chat, × (or Escape) dismisses it. It never
 * takes focus; it is announced politely; it slides in only when the shopper allows motion.
 */
export function Nudge({ text, dismissLabel, onOpen, onDismiss }: NudgeProps) {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onDismiss();
  };
  return (
    <div className="concierge-nudge-region" role="status">
      {text && (
        <div className="concierge-nudge" onKeyDown={onKeyDown}>
          <button type="button" className="concierge-nudge-text" onClick={onOpen}>
            {text}
          </button>
          <button type="button" className="concierge-nudge-close" aria-label={dismissLabel} onClick={onDismiss}>
            <svg aria-hidden="true" viewBox="0 0 24 24" width="14" height="14">
              <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      )}
    </div>
  );
}
