import { createMockTransport, type ErrorCode } from '@concierge/core';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { useEffect } from 'react';
import { ConciergeWidget } from './concierge-widget';
import { concierge } from './control';
import { ar } from './locales/ar';
import { ChatStory, message } from './story-helpers';

const meta = {
  title: 'Chat/Window',
  component: ChatStory,
} satisfies Meta<typeof ChatStory>;
export default meta;
type Story = StoryObj<typeof meta>;

const LONG_MARKDOWN = `Here is everything about **returns**:

1. Start a return from the *order page*.
2. Print the prepaid label.
3. Drop the parcel at any UPS point.

| Region | Window | Cost |
| --- | --- | --- |
| United States | 30 days | Free |
| Elsewhere | 30 days | $12 |

Tracking numbers look like \`1Z999AA10123456784\`:

\`\`\`
Order #10482
Status: returned
\`\`\`

See [our returns page](https://shop.example/policies/returns) or email [care@shop.example](mailto:care@shop.example).`;

const CONVERSATION = [
  message('user', 'What is your return policy?'),
  message('assistant', 'You can return unworn items within **30 days** of delivery for a full refund.', {
    sources: [
      { title: 'Returns and refunds: Return policy', url: '/policies/returns', relevance: 0.95 },
      { title: 'Shipping', url: '/policies/shipping', relevance: 0.4 },
    ],
  }),
];

export const Empty: Story = { args: {} };

export const Greeting: Story = { args: { greeting: 'Hi! I can answer questions about our products, shipping and returns.' } };

export const WaitingForFirstToken: Story = {
  args: { autoSend: 'Do you ship to Canada?', transport: { holdAfter: 0 } },
};

export const Streaming: Story = {
  args: {
    autoSend: 'How long do refunds take?',
    transport: { reply: 'Refunds go back to your original payment method within **5 business days** of the return reaching us.', holdAfter: 48, delayMs: 10 },
  },
};

export const LongMarkdownReply: Story = {
  args: { transcript: [message('user', 'How do returns work?'), message('assistant', LONG_MARKDOWN)] },
};

export const WithSources: Story = { args: { transcript: CONVERSATION } };

export const Interrupted: Story = {
  args: {
    transcript: [
      message('user', 'Tell me about the warranty'),
      message('assistant', 'Everything we sell is covered against defects for two years', { status: 'interrupted' }),
    ],
  },
};

function errorStory(code: ErrorCode, extra: { retryAfterSeconds?: number; reason?: string } = {}): Story {
  return { args: { transcript: CONVERSATION, autoSend: 'Can I return sale items?', transport: { error: { code, message: code, ...extra } } } };
}

export const ErrorNetwork = errorStory('network');
export const ErrorInvalidRequest = errorStory('invalid_request');
export const ErrorForbidden = errorStory('forbidden');
export const ErrorUnauthorized = errorStory('unauthorized');
export const ErrorUpstreamTimeout = errorStory('upstream_timeout');
export const ErrorUpstreamUnavailable = errorStory('upstream_unavailable');
export const ErrorUpstreamMalformed = errorStory('upstream_malformed');
export const ErrorInternal = errorStory('internal');
export const RateLimitCountdown = errorStory('rate_limited', { retryAfterSeconds: 30 });
export const Billing = errorStory('billing', { reason: 'plan_limit_reached' });

/** A passing failure: the turn is sent again by itself (here after the server's 30 s), or now. */
export const RetryingAutomatically: Story = {
  args: {
    transcript: CONVERSATION,
    autoSend: 'Can I return sale items?',
    retry: { maxAttempts: 4 },
    transport: { error: { code: 'upstream_unavailable', message: 'upstream_unavailable', retryAfterSeconds: 30 } },
  },
};

export const QueuedOffline: Story = {
  args: { transcript: CONVERSATION, offline: true, autoSend: 'Can I change my delivery address?' },
};

export const ErrorNotFound = errorStory('not_found');
export const ErrorPayloadTooLarge = errorStory('payload_too_large');
export const ErrorMethodNotAllowed = errorStory('method_not_allowed');
export const ErrorUnsupportedMediaType = errorStory('unsupported_media_type');

export const ThousandMessages: Story = {
  args: {
    transcript: Array.from({ length: 1000 }, (_, index) =>
      index % 2 ? message('assistant', `Answer number ${index} with **Markdown**.`) : message('user', `Question number ${index}?`),
    ),
  },
};

export const RightToLeft: Story = {
  args: {
    strings: ar.chat,
    transcript: [message('user', 'ما هي سياسة الإرجاع؟'), message('assistant', 'يمكنك إرجاع المنتجات غير المستعملة خلال **30 يومًا**.', { sources: [{ title: 'الإرجاع', url: '/policies/returns' }] })],
  },
};

export const Dark: Story = { args: { theme: 'dark', transcript: CONVERSATION } };

export const Mobile: Story = {
  args: { transcript: CONVERSATION },
  // Storybook's viewport toolbar opens this story on a phone; the tests use the same size.
  globals: { viewport: { value: 'mobile1', isRotated: false } },
  parameters: { testViewport: { width: 375, height: 700 } },
};

export const Launcher: StoryObj<typeof ConciergeWidget> = {
  render: () => <ConciergeWidget transport={createMockTransport()} greeting="Hi! How can I help?" />,
};

export const LauncherWithBrandColor: StoryObj<typeof ConciergeWidget> = {
  render: () => <ConciergeWidget transport={createMockTransport()} brandColor="#5b2a86" defaultOpen greeting="Hi! How can I help?" />,
};

export const StreamingInLongThread: Story = {
  args: {
    transcript: Array.from({ length: 40 }, (_, index) =>
      index % 2 ? message('assistant', `Answer number ${index}.`) : message('user', `Question number ${index}?`),
    ),
    autoSend: 'Tell me everything about shipping',
    transport: { reply: 'Orders placed before 2 pm ship the same day. '.repeat(200), chunkSize: 8, delayMs: 40 },
  },
};

/** Starters in an empty conversation (on a product page, its FAQs come first). */
export const Starters: Story = {
  args: { greeting: 'Hi! How can I help?', starters: ['Do you ship to Canada?', 'How do returns work?', 'Where is my order?'] },
};

/** Up to three follow-ups after the last reply; clicking one sends it. */
export const FollowUpSuggestions: Story = {
  args: {
    transcript: [
      message('user', 'What is your return policy?'),
      message('assistant', 'You can return unworn items within **30 days** of delivery.', {
        suggestions: ['Tell me about refunds', 'Tell me about exchanges', 'Tell me about international returns'],
      }),
    ],
  },
};

const RATED = [
  message('user', 'Is the Merino Crew itchy?'),
  message('assistant', 'No: it is 17.5-micron merino, soft enough to wear on bare skin.', { id: 'rated-reply' }),
];

/** A reply the shopper found helpful: the thumb shows as pressed. */
export const FeedbackGiven: Story = {
  args: { transcript: [RATED[0]!, { ...RATED[1]!, feedback: { rating: 'up' } }] },
};

/** Thumbs down counts at once, then offers a comment. */
export const FeedbackComment: Story = {
  args: { transcript: RATED },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Not helpful' }));
    await expect(await canvas.findByRole('textbox', { name: 'What went wrong? (optional)' })).toBeVisible();
  },
};

/** The assistant could not answer: "Talk to a person" under the reply and in the footer. */
export const OffersAPerson: Story = {
  args: {
    handoff: true,
    transcript: [
      message('user', 'Can you repair my vintage carburettor?'),
      message('assistant', "I'm sorry, I don't know the answer to that, and I'd rather not guess.", { offerHandoff: true }),
    ],
  },
};

/** The shopper's email and note, checked before sending. */
export const HandoffForm: Story = {
  args: { handoff: true, transcript: CONVERSATION },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Talk to a person' }));
    await expect(canvas.getByRole('textbox', { name: 'Email' })).toHaveFocus();
  },
};

export const HandoffInvalidEmail: Story = {
  args: { handoff: true, transcript: CONVERSATION },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Talk to a person' }));
    await userEvent.type(canvas.getByRole('textbox', { name: 'Email' }), 'ana@example');
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await expect(canvas.getByRole('textbox', { name: 'Email' })).toHaveAttribute('aria-invalid', 'true');
  },
};

/** The confirmation, with the reply time the store configured. */
export const HandoffSent: Story = {
  args: { handoff: true, transcript: CONVERSATION, transport: { delayMs: 0, replyTime: 'within 2 hours' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Talk to a person' }));
    await userEvent.type(canvas.getByRole('textbox', { name: 'Email' }), 'ana@example.com');
    await userEvent.type(canvas.getByRole('textbox', { name: 'Note (optional)' }), 'My parcel arrived damaged.');
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await expect(await canvas.findByText(/within 2 hours/)).toBeVisible();
  },
};

function NudgingWidget() {
  useEffect(() => concierge.nudge({ text: 'Questions about the Merino Crew? I can help with sizing and care.', delayMs: 300 }), []);
  return <ConciergeWidget transport={createMockTransport()} greeting="Hi! How can I help?" />;
}

/** The widget nudges the shopper after a moment, as the demo's product pages do after 20 s. */
export const LauncherWithNudge: StoryObj<typeof ConciergeWidget> = { render: () => <NudgingWidget /> };
