'use client';
import type { ButtonHTMLAttributes } from 'react';

export interface LauncherProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  open: boolean;
  label: string;
  /** Replies that finished while the window was closed, shown as a badge. @default 0 */
  unread?: number;
}

/** The round button that opens and closes the chat window. */
export function Launcher({ open, label, unread = 0, ...props }: LauncherProps) {
  return (
    <button
      type="button"
      className="concierge-launcher"
      aria-label={label}
      aria-expanded={open}
      aria-haspopup="dialog"
      {...props}
    >
      {/* Drawn by the stylesheet (size, fill, the close icon's stroke): fewer bytes on every page. */}
      <svg aria-hidden="true" viewBox="0 0 24 24">
        <path d={open ? 'M6 6l12 12M18 6L6 18' : 'M4 4h16v12H10l-5 4v-4H4z'} />
      </svg>
      {unread > 0 && !open && (
        <span className="concierge-badge" aria-hidden="true">
          {unread > 9 ? '9+' : unread}
        </span>
      )}
    </button>
  );
}
