'use client';
import { concierge } from '@concierge/ui';
import { useEffect } from 'react';

/**
 * The chat knows which product the shopper is looking at, and after 20 seconds on the page offers
 * help with it. Both end when the shopper leaves the page.
 */
export function ProductNudge({ slug, name }: { slug: string; name: string }) {
  useEffect(() => {
    concierge.setContext({ metadata: { product: slug } });
    const cancel = concierge.nudge({ text: `Questions about the ${name}? I can help with sizing, care and delivery.`, delayMs: 20_000 });
    return () => {
      cancel();
      concierge.setContext({});
    };
  }, [slug, name]);
  return null;
}

/** "Ask about this product": opens the chat and sends the question. */
export function AskAboutProduct({ name }: { name: string }) {
  return (
    <button type="button" className="ask-about" onClick={() => concierge.send(`Tell me about the ${name}`)}>
      Ask about this product
    </button>
  );
}
