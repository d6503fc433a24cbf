import type { Feedback, Handoff } from '@concierge/proxy';

/**
 * The demo's support inbox: what shoppers rate and who asks for a person, logged on the server.
 * A real store opens a ticket in its help desk here, or sets CONCIERGE_WEBHOOK_URL to receive the
 * same events signed.
 */
export const supportInbox = {
  onFeedback(feedback: Feedback) {
    console.info(`[support] ${feedback.rating === 'up' ? 'helpful' : 'not helpful'}: reply ${feedback.messageId}${feedback.comment ? ` (with a comment)` : ''}`);
  },
  onHandoff(handoff: Handoff) {
    console.info(`[support] a shopper asks for a person: handoff ${handoff.handoffId}, ${handoff.transcript.length} messages of conversation`);
  },
  handoffReplyTime: 'within one business day',
};
