import '@concierge/ui/styles.css';
import { ConciergeWidget } from '@concierge/ui';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'Fernhill Tea', description: 'A small tea shop.' };

export default function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  return (
    <html lang="en">
      <body>
        {children}
        <ConciergeWidget endpoint="/api/concierge" greeting="Hi! Ask me about our teas, shipping or returns." strings={{ title: 'Fernhill help' }} />
      </body>
    </html>
  );
}
