import type { ErrorCode } from '@concierge/core';

/** Every string the widget shows; pass a partial object to override some. */
export interface ConciergeStrings {
  /** BCP 47 tag used to format times, e.g. `en` or `ar`. */
  locale: string;
  /** Writing direction of the language. */
  dir: 'ltr' | 'rtl';
  openChat: string;
  /** The launcher's name while replies wait unread, e.g. "Open chat, 1 unread message". */
  openChatUnread: (count: number) => string;
  closeChat: string;
  title: string;
  messageLabel: string;
  placeholder: string;
  send: string;
  stop: string;
  retry: string;
  typing: string;
  sources: string;
  you: string;
  assistant: string;
  notSent: string;
  queued: string;
  interrupted: string;
  emptyMessage: string;
  waitForReply: string;
  tooLong: (max: number) => string;
  newConversation: string;
  jumpToLatest: string;
  errors: Partial<Record<ErrorCode, string>> & { default: string };
  rateLimited: (seconds: number) => string;
  readyAgain: string;
  /** While an automatic retry waits (a rate limit's sentence comes before it). */
  retrying: (seconds: number) => string;
  retryNow: string;
  /** Label of the product cards that come with a reply. */
  products: string;
  addToCart: string;
  /** The Add to cart button's accessible name: its visible text first (WCAG label in name), then the product. */
  addToCartFor: (name: string) => string;
  inStock: string;
  outOfStock: string;
  preorder: string;
  /** Label of the starter and follow-up question buttons. */
  suggestions: string;
  /** Thumbs up and down on a reply. */
  helpful: string;
  notHelpful: string;
  feedbackComment: string;
  sendFeedback: string;
  feedbackThanks: string;
  /** When feedback or a handoff request could not be sent (what was typed stays). */
  notSentRetry: string;
  talkToPerson: string;
  handoffIntro: string;
  email: string;
  emailInvalid: string;
  note: string;
  cancel: string;
  handoffSent: (email: string, replyTime: string) => string;
  backToChat: string;
  /** The nudge's close button. */
  dismiss: string;
}

export const defaultStrings: ConciergeStrings = {
  // The same as launcher-strings.ts, which the page loads without the rest. Written twice on
  // purpose: spreading launcherStrings here makes esbuild split them into a chunk of their own,
  // 0.09 KB more at page load (3.13 → 3.22 KB). A test keeps the two equal.
  locale: 'en',
  dir: 'ltr',
  openChat: 'Open chat',
  openChatUnread: (count) => `Open chat, ${count} unread ${count === 1 ? 'message' : 'messages'}`,
  closeChat: 'Close chat',
  typing: 'The assistant is typing…',
  dismiss: 'Dismiss',
  title: 'Customer support',
  messageLabel: 'Message',
  placeholder: 'Ask about orders, shipping, returns…',
  send: 'Send',
  stop: 'Stop',
  retry: 'Retry',
  sources: 'Sources',
  you: 'You',
  assistant: 'Assistant',
  notSent: 'Not sent',
  queued: 'Offline: sends when you are back online',
  interrupted: 'Reply stopped',
  emptyMessage: 'Type a message first.',
  waitForReply: 'Wait for the reply to finish, or press Stop.',
  tooLong: (max) => `Messages can be at most ${max} characters.`,
  newConversation: 'New conversation',
  jumpToLatest: 'Jump to latest',
  // Codes without their own sentence (unavailable, malformed, key rejected, billing…) use `default`.
  errors: {
    network: 'We could not reach the assistant. Check your connection and try again.',
    invalid_request: 'That message could not be sent. Please rephrase it and try again.',
    forbidden: 'The chat is not available on this site.',
    upstream_timeout: 'The assistant took too long to answer. Please try again.',
    default: 'The assistant is temporarily unavailable. Please try again in a moment.',
  },
  readyAgain: 'You can send messages again.',
  retrying: (seconds) => (seconds > 0 ? `No answer yet. Retrying in ${seconds} s.` : 'No answer yet. Retrying…'),
  retryNow: 'Retry now',
  products: 'Products',
  addToCart: 'Add to cart',
  addToCartFor: (name) => `Add to cart: ${name}`,
  inStock: 'In stock',
  outOfStock: 'Out of stock',
  preorder: 'Pre-order',
  suggestions: 'Suggested questions',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  feedbackComment: 'What went wrong? (optional)',
  sendFeedback: 'Send feedback',
  feedbackThanks: 'Thanks for your feedback.',
  notSentRetry: 'That could not be sent. Please try again.',
  talkToPerson: 'Talk to a person',
  handoffIntro: 'Leave your email and a note, and someone from our team will write to you.',
  email: 'Email',
  emailInvalid: 'Enter an email address such as name@example.com.',
  note: 'Note (optional)',
  cancel: 'Cancel',
  handoffSent: (email, replyTime) => `Thanks! Someone from our team will write to ${email} ${replyTime}.`,
  backToChat: 'Back to chat',
  rateLimited: (seconds) =>
    seconds > 0 ? `Too many messages at once. You can send again in ${seconds} s.` : 'Too many messages at once. Please wait a moment.',
};
