'use client';
import type { ProductCard } from '@concierge/core';

/** The demo's mini cart: product cards added from the chat, kept in this browser. */
export interface CartLine {
  id: string;
  name: string;
  price?: number;
  currency?: string;
  quantity: number;
}

const KEY = 'larkfield:cart';
const listeners = new Set<() => void>();
let lines: CartLine[] | null = null;

function read(): CartLine[] {
  if (lines) return lines;
  try {
    lines = JSON.parse(localStorage.getItem(KEY) ?? '[]') as CartLine[];
  } catch {
    lines = [];
  }
  return lines;
}

export const cart = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
  lines: read,
  serverLines: (): CartLine[] => [],
  add(product: ProductCard) {
    const current = read();
    const existing = current.find((line) => line.id === product.id);
    lines = existing
      ? current.map((line) => (line === existing ? { ...line, quantity: line.quantity + 1 } : line))
      : [...current, { id: product.id, name: product.name, price: product.price, currency: product.currency, quantity: 1 }];
    localStorage.setItem(KEY, JSON.stringify(lines));
    for (const listener of listeners) listener();
  },
};
