import '@concierge/ui/styles.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Concierge } from './concierge';

export const metadata: Metadata = { title: 'Fernhill Tea', description: 'A small tea shop.' };

export default function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  return (
    <html lang="en">
      <body>
        {children}
        <Concierge />
      </body>
    </html>
  );
}
