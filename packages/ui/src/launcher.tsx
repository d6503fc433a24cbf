'use client';
import { forwardRef, type ButtonHTMLAttributes } from 'react';

export interface LauncherProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  open: boolean;
  label: string;
}

/** The round button that opens and closes the chat window. */
export const Launcher = forwardRef<HTMLButtonElement, LauncherProps>(function Launcher({ open, label, ...props }, ref) {
  return (
    <button
      ref={ref}
      type="button"
      className="concierge-launcher"
      aria-label={label}
      aria-expanded={open}
      aria-haspopup="dialog"
      data-state={open ? 'open' : 'closed'}
      {...props}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="26" height="26">
        {open ? (
          <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" fill="none" />
        ) : (
          <path
            d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4A2.5 2.5 0 0 1 3 13.5z"
            fill="currentColor"
          />
        )}
      </svg>
    </button>
  );
});
