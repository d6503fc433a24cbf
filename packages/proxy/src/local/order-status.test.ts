import type { ThreadMessage } from '@concierge/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { OrderLookup, OrderRecord, ProviderEvent } from '../provider';
import { createLocalProvider } from './local-provider';

const KB_DIR = fileURLToPath(new URL('../../fixtures/knowledge-base', import.meta.url));
const ORDER: OrderRecord = {
  orderNumber: 'LF-10427',
  email: 'ada@example.com',
  status: 'shipped',
  carrier: 'UPS',
  trackingUrl: 'https://ups.example/track/1Z999',
  estimatedDelivery: 'Thursday',
  items: [{ name: 'Merino Crew Sweater', quantity: 1 }],
};

function orderBook() {
  const lookup = vi.fn<OrderLookup['lookup']>(async ({ orderNumber, email }) =>
    orderNumber === ORDER.orderNumber && email.toLowerCase() === ORDER.email ? ORDER : undefined,
  );
  return { lookup };
}

async function ask(message: string, history: ThreadMessage[], orders?: OrderLookup) {
  const provider = await createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 });
  let text = '';
  for await (const event of provider.reply({ message, threadId: 't', history, signal: new AbortController().signal, ...(orders ? { orders } : {}) }) as AsyncIterable<ProviderEvent>) {
    if (event.type === 'delta') text += event.text;
  }
  return text;
}

/** Plays a conversation; returns the assistant's answers. */
async function converse(messages: string[], orders?: OrderLookup) {
  const history: ThreadMessage[] = [];
  const answers: string[] = [];
  for (const message of messages) {
    const text = await ask(message, history, orders);
    answers.push(text);
    history.push({ id: `u${history.length}`, role: 'user', text: message, createdAt: '' }, { id: `a${history.length}`, role: 'assistant', text, createdAt: '' });
  }
  return answers;
}

describe('order status with the store\'s lookup', () => {
  it('asks for the missing order number, then the email, then answers the status from the lookup', async () => {
    const orders = orderBook();
    const [first, second, third] = await converse(["Where is my order? It's been 2 weeks", 'It is LF-10427', 'ada@example.com'], orders);
    expect(first).toContain('What is your order number and the email address you ordered with?');
    expect(second).toContain('What is the email address you placed order LF-10427 with?');
    expect(third).toBe('Order **LF-10427** is **shipped**. It travels with UPS: [track the parcel](https://ups.example/track/1Z999). Expected: Thursday. Items: 1 × Merino Crew Sweater.');
    expect(orders.lookup).toHaveBeenCalledTimes(1);
    expect(orders.lookup.mock.calls[0]![0]).toEqual({ orderNumber: 'LF-10427', email: 'ada@example.com' });
  });

  it('answers about another order in the same conversation, reusing the email given', async () => {
    const answers = await converse(['where is my order LF-10427? ada@example.com', 'And LF-55555?'], orderBook());
    expect(answers[0]).toMatch(/^Order \*\*LF-10427\*\* is/);
    expect(answers[1]).toBe('I could not find an order LF-55555 placed with ada@example.com. Please check both: they are in your order confirmation email.');
  });

  it('takes both in one message', async () => {
    const [answer] = await converse(['where is my order #LF-10427, email ADA@example.com'], orderBook());
    expect(answer).toMatch(/^Order \*\*LF-10427\*\* is \*\*shipped\*\*/);
  });

  it('never shows an order unless number and email both match, and says the same whichever is wrong', async () => {
    const wrongEmail = await converse(['track my order LF-10427 for eve@example.com']);
    expect(wrongEmail[0]).not.toContain('shipped');
    const orders = orderBook();
    const [byEmail] = await converse(['track my order LF-10427 for eve@example.com'], orders);
    const [byNumber] = await converse(['track my order LF-99999 for ada@example.com'], orders);
    expect(byEmail).toBe('I could not find an order LF-10427 placed with eve@example.com. Please check both: they are in your order confirmation email.');
    expect(byNumber).toBe('I could not find an order LF-99999 placed with ada@example.com. Please check both: they are in your order confirmation email.');
    // A lookup that returns an order for another email is not believed.
    const careless: OrderLookup = { lookup: async () => ORDER };
    const [shown] = await converse(['track my order LF-10427 for eve@example.com'], careless);
    expect(shown).toContain('I could not find an order');
  });

  it('without a lookup answers from the store\'s pages', async () => {
    const [answer] = await converse(["Where is my order? It hasn't arrived"]);
    expect(answer).not.toContain('order number and the email');
  });
});
