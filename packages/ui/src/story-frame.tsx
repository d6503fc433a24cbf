import { createMockTransport } from '@concierge/core';
import { ConciergeProvider } from '@concierge/react';
import type { ReactNode } from 'react';

/** An open chat window around one part, with a provider on a mock transport (stories only). */
export function StoryFrame({ children, log = true, theme = 'light', dir }: { children: ReactNode; log?: boolean; theme?: 'light' | 'dark'; dir?: 'ltr' | 'rtl' }) {
  return (
    <div className="concierge" data-state="open" data-theme={theme} dir={dir}>
      <div className="concierge-window">
        <ConciergeProvider transport={createMockTransport()} storage={null}>
          {log ? (
            <div className="concierge-log" role="log" aria-label="Messages">
              {children}
            </div>
          ) : (
            children
          )}
        </ConciergeProvider>
      </div>
    </div>
  );
}
