import type { ThreadMessage } from '@concierge/core';
import type { OrderLookup, OrderRecord } from '../provider';
import { isOrderQuestion } from './shop-assistant';

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
/** An order number: digits, or letters then digits ("#10427", "LF-20431", "order 5532"). */
const ORDER_NUMBER = /(?:#|\b(?:order(?: number| no\.?| #)?:?\s*))([A-Z]{0,4}-?\d{3,})\b|\b([A-Z]{1,4}-\d{3,})\b/i;
/** How the assistant asks, so the next message is read as the answer. */
const ASKING = 'order number and the email address';

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
 * the email), then answers the status. An order is shown only when the number and the email both
 * match the store's record; any other case gets the same "not found", so nothing can be probed.
 */
export async function orderStatusAnswer(message: string, history: ThreadMessage[], orders: OrderLookup, signal: AbortSignal) {
  const lastReply = history.findLast((entry) => entry.role === 'assistant')?.text ?? '';
  // The conversation is about an order when the assistant just asked for its details or answered one.
  const inFlow = /order number|email address you placed|^Order \*\*|could not find an order/.test(lastReply);
  const gives = EMAIL.test(message) || ORDER_NUMBER.test(message);
  if (!isOrderQuestion(message) && !(inFlow && gives) && !(EMAIL.test(message) && ORDER_NUMBER.test(message.replace(EMAIL, ' ')))) return undefined;
  // What the shopper gave in this message or the ones since the question.
  const since = history.slice(-4);
  const answered = since.findLastIndex((entry) => entry.role === 'assistant' && /^Order \*\*|could not find an order/.test(entry.text));
  const recent = [...since.slice(answered + 1).filter((entry) => entry.role === 'user').map((entry) => entry.text), message];
  // The latest mention wins: "And LF-10512?" after an answer asks about that order.
  const latestEmail = (texts: string[]) => texts.map((text) => EMAIL.exec(text)?.[0]).findLast(Boolean);
  // Asking about another order, the shopper need not give the email again.
  const email = latestEmail(recent) ?? latestEmail(history.filter((entry) => entry.role === 'user').map((entry) => entry.text));
  const numberMatch = recent.map((text) => ORDER_NUMBER.exec(text.replace(EMAIL, ' '))).findLast(Boolean);
  const orderNumber = (numberMatch?.[1] ?? numberMatch?.[2])?.toUpperCase();
  const reply = (text: string) => ({ text, sources: [], confidence: 1 });
  if (!orderNumber && !email) return reply(`I can check that for you. What is your ${ASKING} you ordered with?`);
  if (!orderNumber) return reply('Thanks. What is your order number? It is in your order confirmation email (for example LF-10427).');
  if (!email) return reply(`Thanks. What is the email address you placed order ${orderNumber} with?`);
  const order = await lookupOrder(orders, orderNumber, email, signal);
  if (!order) {
    return reply(`I could not find an order ${orderNumber} placed with ${email}. Please check both: they are in your order confirmation email.`);
  }
  const parts = [`Order **${order.orderNumber}** is **${order.status}**.`];
  if (order.carrier) parts.push(`It travels with ${order.carrier}${order.trackingUrl ? `: [track the parcel](${order.trackingUrl})` : ''}.`);
  else if (order.trackingUrl) parts.push(`[Track the parcel](${order.trackingUrl}).`);
  if (order.estimatedDelivery) parts.push(`Expected: ${order.estimatedDelivery}.`);
  if (order.items?.length) parts.push(`Items: ${order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ')}.`);
  return reply(parts.join(' '));
}
