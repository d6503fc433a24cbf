import type { Source } from '@concierge/core';
import type { ConversationState, OrderLookup, OrderRecord } from '../provider';
import { isOrderQuestion } from './question';

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const EMAILS = new RegExp(EMAIL.source, 'g');
/** An order number: digits, or letters then digits ("#10427", "AB-20431", "order 5532"). */
const ORDER_NUMBER = /(?:#|\b(?:order(?: number| no\.?| #)?:?\s*))([A-Z]{0,4}-?\d{3,})\b|\b([A-Z]{1,4}-\d{3,})\b/i;
/** When the flow asked for the order number, a bare one will do ("10427", "it's LF10427"). */
const BARE_ORDER_NUMBER = /\b([A-Z]{0,4}-?\d{4,})\b/i;

/** A detail the order flow asks for. */
export type OrderDetail = 'orderNumber' | 'email';

/**
 * Where the order-status flow stands: `state.order` of the thread's {@link ConversationState}.
 * Kept as data between turns, never read back from the assistant's replies.
 */
export interface OrderFlowState {
  /**
   * What the flow reads from the shopper's next message: the details its last reply asked for,
   * or both after an answer (a corrected email, another order's number). Absent when the
   * conversation is not in the flow.
   */
  awaiting?: OrderDetail[];
  /** The order number given last (upper case). */
  orderNumber?: string;
  /** The email given last (lower case); asking about another order reuses it. */
  email?: string;
}

/** The order flow's answer to one message. */
export interface OrderStatusTurn {
  /** The reply, or `undefined` when the message is not for the order flow (it is answered otherwise). */
  answer: { text: string; sources: Source[]; confidence: number } | undefined;
  /** The conversation state with its `order` key updated, every other key as it was. */
  state: ConversationState;
}

/**
 * The store's lookup, believed only when the order it returns has both the number and the email
 * given: a careless lookup cannot show someone else's order.
 */
export async function lookupOrder(orders: OrderLookup, orderNumber: string, email: string, signal: AbortSignal): Promise<OrderRecord | undefined> {
  const number = orderNumber.trim().toUpperCase();
  const address = email.trim().toLowerCase();
  if (!number || !EMAIL.test(address)) return undefined;
  const order = await orders.lookup({ orderNumber: number, email: address }, signal);
  return order && order.orderNumber.toUpperCase() === number && order.email.trim().toLowerCase() === address ? order : undefined;
}

/**
 * "Where is my order?" with the store's order lookup: asks for what is missing (the order number,
 * the email), then answers the status. What it waits for and what it was given are kept in
 * `state.order` ({@link OrderFlowState}), so "Sorry, my email is …" after a miss is looked up with
 * the number given before. An order is shown only when the number and the email both match the
 * store's record; any other case gets the same "not found", so nothing can be probed.
 *
 * The message is the flow's when it asks about an order, when it gives a number or an email
 * while the flow waits for one, or when it gives both at once. Any other message leaves the
 * flow (`answer` is `undefined`, nothing is awaited any more; the details given are kept).
 */
export async function orderStatusAnswer(message: string, state: ConversationState, orders: OrderLookup, signal: AbortSignal): Promise<OrderStatusTurn> {
  const previous = orderFlowState(state.order);
  const inFlow = Boolean(previous.awaiting?.length);
  const givenEmail = EMAIL.exec(message)?.[0].toLowerCase();
  const rest = message.replace(EMAILS, ' ');
  const numberMatch = ORDER_NUMBER.exec(rest) ?? (previous.awaiting?.includes('orderNumber') ? BARE_ORDER_NUMBER.exec(rest) : null);
  const givenNumber = (numberMatch?.[1] ?? numberMatch?.[2])?.toUpperCase();
  if (!isOrderQuestion(message) && !(inFlow && (givenEmail || givenNumber)) && !(givenEmail && givenNumber)) {
    return { answer: undefined, state: inFlow ? withOrder(state, { ...previous, awaiting: undefined }) : state };
  }
  // In the flow, what was given before still holds; a new question keeps only the email (it may
  // be about another order).
  const orderNumber = givenNumber ?? (inFlow ? previous.orderNumber : undefined);
  const email = givenEmail ?? previous.email;
  const turn = (text: string, awaiting: OrderDetail[]): OrderStatusTurn => ({
    answer: { text, sources: [], confidence: 1 },
    state: withOrder(state, { awaiting, orderNumber, email }),
  });
  if (!orderNumber && !email) {
    return turn('I can check that for you. What is your order number and the email address you ordered with?', ['orderNumber', 'email']);
  }
  if (!orderNumber) {
    const opening = givenEmail ? 'Thanks.' : 'I can check that for you.';
    return turn(`${opening} What is your order number? It is in your order confirmation email.`, ['orderNumber']);
  }
  if (!email) return turn(`Thanks. What is the email address you placed order ${orderNumber} with?`, ['email']);
  const order = await lookupOrder(orders, orderNumber, email, signal);
  // After an answer the flow still reads a corrected email or another order's number.
  if (!order) {
    return turn(`I could not find an order ${orderNumber} placed with ${email}. Please check both: they are in your order confirmation email.`, ['orderNumber', 'email']);
  }
  const parts = [`Order **${order.orderNumber}** is **${order.status}**.`];
  if (order.carrier) parts.push(`It travels with ${order.carrier}${order.trackingUrl ? `: [track the parcel](${order.trackingUrl})` : ''}.`);
  else if (order.trackingUrl) parts.push(`[Track the parcel](${order.trackingUrl}).`);
  if (order.estimatedDelivery) parts.push(`Expected: ${order.estimatedDelivery}.`);
  if (order.items?.length) parts.push(`Items: ${order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ')}.`);
  return turn(parts.join(' '), ['orderNumber', 'email']);
}

/** `state.order` as the flow wrote it; anything else in it (an older shape, a bad value) is dropped. */
export function orderFlowState(value: unknown): OrderFlowState {
  if (typeof value !== 'object' || value === null) return {};
  const { awaiting, orderNumber, email } = value as Record<string, unknown>;
  const details = Array.isArray(awaiting) ? awaiting.filter((detail): detail is OrderDetail => detail === 'orderNumber' || detail === 'email') : [];
  return {
    ...(details.length ? { awaiting: [...new Set(details)] } : {}),
    ...(typeof orderNumber === 'string' && orderNumber ? { orderNumber } : {}),
    ...(typeof email === 'string' && EMAIL.test(email) ? { email } : {}),
  };
}

/** The state with `order` replaced (removed when empty), the other keys as they were. */
function withOrder(state: ConversationState, order: OrderFlowState): ConversationState {
  const { order: _, ...others } = state;
  const kept = orderFlowState(order);
  return Object.keys(kept).length ? { ...others, order: kept } : others;
}
