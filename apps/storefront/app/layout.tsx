import '@concierge/ui/styles.css';
import './globals.css';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getPolicies } from '../lib/catalog';
import { Concierge } from './concierge';
import { HelpButton } from './help-button';
import { MiniCart } from './mini-cart';

export const metadata: Metadata = {
  title: { default: 'Larkfield & Co.', template: '%s · Larkfield & Co.' },
  description: 'Well-made clothing and goods for everyday use, with a lifetime repair promise.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  const policies = getPolicies();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Larkfield &amp; Co.
          </Link>
          <nav aria-label="Main">
            <Link href="/">Shop</Link>
            <Link href="/policies/shipping">Shipping</Link>
            <Link href="/policies/returns">Returns</Link>
            <Link href="/policies/contact">Contact</Link>
          </nav>
          <HelpButton />
          <MiniCart />
        </header>
        <main>{children}</main>
        <footer className="site-footer">
          <nav aria-label="Customer care">
            {policies.map((policy) => (
              <Link key={policy.slug} href={`/policies/${policy.slug}`}>
                {policy.title}
              </Link>
            ))}
          </nav>
          <p>© Larkfield &amp; Co. A demo store for Concierge.</p>
        </footer>
        <Concierge />
      </body>
    </html>
  );
}
