import type { ThreadMessage } from '@concierge/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { ConversationState, OrderLookup, OrderRecord, ProviderEvent } from '../provider';
import { createLocalProvider } from './local-provider';
import { orderStatusAnswer, type OrderFlowState } from './order-status';

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
const SHIPPED =
  'Order **LF-10427** is **shipped**. It travels with UPS: [track the parcel](https://ups.example/track/1Z999). Expected: Thursday. Items: 1 × Merino Crew Sweater.';
const notFound = (number: string, email: string) =>
  `I could not find an order ${number} placed with ${email}. Please check both: they are in your order confirmation email.`;

function orderBook() {
  const lookup = vi.fn<OrderLookup['lookup']>(async ({ orderNumber, email }) =>
    orderNumber === ORDER.orderNumber && email.toLowerCase() === ORDER.email ? ORDER : undefined,
  );
  return { lookup };
}

const providerPromise = createLocalProvider({ dir: KB_DIR, chunkDelayMs: 0 });

async function ask(message: string, history: ThreadMessage[], state: ConversationState, orders?: OrderLookup) {
  const provider = await providerPromise;
  let text = '';
  let next: ConversationState | undefined;
  const request = { message, threadId: 't', history, state, signal: new AbortController().signal, ...(orders ? { orders } : {}) };
  for await (const event of provider.reply(request) as AsyncIterable<ProviderEvent>) {
    if (event.type === 'delta') text += event.text;
    else if (event.type === 'state') next = event.state;
  }
  return { text, state: next };
}

/**
 * Plays a conversation as the proxy does: each turn gets the transcript so far and the state the
 * provider left (without the transcript when `withHistory` is false). Returns the assistant's
 * answers and the state each turn yielded.
 */
async function play(messages: string[], orders?: OrderLookup, { withHistory = true } = {}) {
  const history: ThreadMessage[] = [];
  const answers: string[] = [];
  const states: (ConversationState | undefined)[] = [];
  let state: ConversationState = {};
  for (const message of messages) {
    const reply = await ask(message, withHistory ? history : [], state, orders);
    answers.push(reply.text);
    states.push(reply.state);
    state = reply.state ?? state;
    history.push({ id: `u${history.length}`, role: 'user', text: message, createdAt: '' }, { id: `a${history.length}`, role: 'assistant', text: reply.text, createdAt: '' });
  }
  return { answers, states };
}

async function converse(messages: string[], orders?: OrderLookup) {
  return (await play(messages, orders)).answers;
}

describe('order status with the store\'s lookup', () => {
  it('asks for the missing order number, then the email, then answers the status from the lookup', async () => {
    const orders = orderBook();
    const [first, second, third] = await converse(["Where is my order? It's been 2 weeks", 'It is LF-10427', 'ada@example.com'], orders);
    expect(first).toContain('What is your order number and the email address you ordered with?');
    expect(second).toContain('What is the email address you placed order LF-10427 with?');
    expect(third).toBe(SHIPPED);
    expect(orders.lookup).toHaveBeenCalledTimes(1);
    expect(orders.lookup.mock.calls[0]![0]).toEqual({ orderNumber: 'LF-10427', email: 'ada@example.com' });
  });

  it('answers about another order in the same conversation, reusing the email given', async () => {
    const answers = await converse(['where is my order LF-10427? ada@example.com', 'And LF-55555?'], orderBook());
    expect(answers[0]).toMatch(/^Order \*\*LF-10427\*\* is/);
    expect(answers[1]).toBe(notFound('LF-55555', 'ada@example.com'));
  });

  it('takes both in one message', async () => {
    const [answer] = await converse(['where is my order #LF-10427, email ADA@example.com'], orderBook());
    expect(answer).toMatch(/^Order \*\*LF-10427\*\* is \*\*shipped\*\*/);
    // Without the question first too.
    const [bare] = await converse(['LF-10427 ada@example.com'], orderBook());
    expect(bare).toBe(SHIPPED);
  });

  it('never shows an order unless number and email both match, and says the same whichever is wrong', async () => {
    const wrongEmail = await converse(['track my order LF-10427 for eve@example.com']);
    expect(wrongEmail[0]).not.toContain('shipped');
    const orders = orderBook();
    const [byEmail] = await converse(['track my order LF-10427 for eve@example.com'], orders);
    const [byNumber] = await converse(['track my order LF-99999 for ada@example.com'], orders);
    expect(byEmail).toBe(notFound('LF-10427', 'eve@example.com'));
    expect(byNumber).toBe(notFound('LF-99999', 'ada@example.com'));
    // A lookup that returns an order for another email is not believed.
    const careless: OrderLookup = { lookup: async () => ORDER };
    const [shown] = await converse(['track my order LF-10427 for eve@example.com'], careless);
    expect(shown).toContain('I could not find an order');
  });

  it('without a lookup answers from the store\'s pages', async () => {
    const [answer] = await converse(["Where is my order? It hasn't arrived"]);
    expect(answer).not.toContain('order number and the email');
  });

  it('after a wrong email, "Sorry, my email is …" is looked up with the order number given before', async () => {
    const orders = orderBook();
    const { answers, states } = await play(['Where is my order?', 'It is LF-10427', 'eve@example.com', 'Sorry, my email is ada@example.com'], orders);
    expect(answers[0]).toContain('What is your order number and the email address you ordered with?');
    expect(answers[1]).toBe('Thanks. What is the email address you placed order LF-10427 with?');
    expect(answers[2]).toBe(notFound('LF-10427', 'eve@example.com'));
    expect(answers[3]).toBe(SHIPPED);
    expect(orders.lookup.mock.calls.map(([query]) => query)).toEqual([
      { orderNumber: 'LF-10427', email: 'eve@example.com' },
      { orderNumber: 'LF-10427', email: 'ada@example.com' },
    ]);
    expect(states.map((state) => state?.order)).toEqual([
      { awaiting: ['orderNumber', 'email'] },
      { awaiting: ['email'], orderNumber: 'LF-10427' },
      { awaiting: ['orderNumber', 'email'], orderNumber: 'LF-10427', email: 'eve@example.com' },
      { awaiting: ['orderNumber', 'email'], orderNumber: 'LF-10427', email: 'ada@example.com' },
    ]);
  });

  it('goes on from the state alone, never from what the assistant said', async () => {
    const turns = ['Where is my order?', 'LF-10427', 'eve@example.com', 'Sorry, my email is ada@example.com', 'And LF-55555?'];
    const { answers } = await play(turns, orderBook(), { withHistory: false });
    expect(answers.slice(1)).toEqual([
      'Thanks. What is the email address you placed order LF-10427 with?',
      notFound('LF-10427', 'eve@example.com'),
      SHIPPED,
      notFound('LF-55555', 'ada@example.com'),
    ]);
  });

  it('asks for the order number when the email comes first; a bare number will do while it asks', async () => {
    const orders = orderBook();
    const { answers } = await play(['I want to track my order', 'ada@example.com', '10427?', 'LF-10427', 'And LF-55555?'], orders);
    expect(answers[1]).toBe('Thanks. What is your order number? It is in your order confirmation email.');
    expect(answers[2]).toBe(notFound('10427', 'ada@example.com'));
    expect(answers[3]).toBe(SHIPPED);
    expect(answers[4]).toBe(notFound('LF-55555', 'ada@example.com'));
  });

  it('names nothing of a particular store when it asks', async () => {
    const { answers } = await play(['Where is my order?', 'ada@example.com', 'Where is my order?'], orderBook());
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(answer).not.toMatch(/LF-|\d{3,}/);
  });

  it('leaves the flow for another question, answered as usual', async () => {
    const { answers, states } = await play(['Where is my order?', 'How long do refunds take?', 'LF-10427, ada@example.com'], orderBook());
    expect(answers[1]).not.toContain('order number');
    expect(answers[1]).toContain('5 business days');
    expect(states[1]).toBeDefined();
    expect(states[1]!.order).toBeUndefined();
    expect(answers[2]).toBe(SHIPPED);
  });
});

describe('the order flow\'s state', () => {
  const signal = new AbortController().signal;
  const step = (message: string, state: ConversationState, orders: OrderLookup = orderBook()) => orderStatusAnswer(message, state, orders, signal);

  it('keeps the other keys of the conversation state as they are', async () => {
    const product = { slug: 'merino-crew-sweater' };
    const asked = await step('Where is my order?', { product });
    expect(asked.state).toEqual({ product, order: { awaiting: ['orderNumber', 'email'] } });
    const left = await step('Do you sell socks?', asked.state);
    expect(left.answer).toBeUndefined();
    expect(left.state).toEqual({ product });
  });

  it('on another question stops awaiting but keeps the email, so a new question asks only for the number', async () => {
    const shown = await step('where is my order LF-10427? ada@example.com', {});
    expect(shown.answer?.text).toBe(SHIPPED);
    const left = await step('Thanks! Do you sell socks?', shown.state);
    expect(left.answer).toBeUndefined();
    expect(left.state.order).toEqual({ orderNumber: 'LF-10427', email: 'ada@example.com' } satisfies OrderFlowState);
    // Out of the flow a lone order number is not the flow's…
    expect((await step('LF-10427', left.state)).answer).toBeUndefined();
    // …and a new question starts again, the email known.
    const again = await step('Where is my order?', left.state);
    expect(again.answer?.text).toBe('I can check that for you. What is your order number? It is in your order confirmation email.');
    expect(again.state.order).toEqual({ awaiting: ['orderNumber'], email: 'ada@example.com' });
  });

  it('a message that is not about an order leaves a state without the flow untouched', async () => {
    const state = { product: { slug: 'x' } };
    const turn = await step('Do you sell socks?', state);
    expect(turn.answer).toBeUndefined();
    expect(turn.state).toBe(state);
  });

  it('ignores a state it did not write', async () => {
    const odd = await step('Sorry, my email is ada@example.com', { order: { awaiting: 'email', orderNumber: 42 } });
    expect(odd.answer).toBeUndefined();
    const asked = await step('Where is my order?', { order: 'nonsense' });
    expect(asked.answer?.text).toContain('What is your order number and the email address');
  });

  it('shows an order only when number and email match, whatever the state says', async () => {
    const careless: OrderLookup = { lookup: async () => ORDER };
    const turn = await step('Sorry, my email is eve@example.com', { order: { awaiting: ['email'], orderNumber: 'LF-10427' } }, careless);
    expect(turn.answer?.text).toBe(notFound('LF-10427', 'eve@example.com'));
  });
});
