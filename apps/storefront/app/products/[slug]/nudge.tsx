'use client';
import { concierge } from '@concierge/ui';
import { useEffect } from 'react';

/** After 20 seconds on a product page, the chat offers help with this product. */
export function ProductNudge({ name }: { name: string }) {
  useEffect(() => concierge.nudge({ text: `Questions about the ${name}? I can help with sizing, care and delivery.`, delayMs: 20_000 }), [name]);
  return null;
}
