import type { Meta, StoryObj } from '@storybook/react-vite';
import { Launcher } from './launcher';
import Nudge from './nudge';

const meta = {
  title: 'Chat/Launcher',
  component: Launcher,
  args: { open: false, label: 'Open chat' },
  decorators: [
    (Story) => (
      <div className="concierge" data-state="closed" data-theme="light">
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof Launcher>;
export default meta;
type Story = StoryObj<typeof meta>;

export const Closed: Story = {};
export const Open: Story = { args: { open: true, label: 'Close chat' } };
export const WithUnreadReplies: Story = { args: { unread: 2, label: 'Open chat, 2 unread messages' } };

/** A nudge by the launcher: clicking it opens the chat; × dismisses it. */
export const WithNudge: Story = {
  render: (args) => (
    <>
      <div className="concierge-nudge-region" role="status">
        <Nudge
          command={{ type: 'nudge', id: 1, text: 'Questions about the Merino Crew? I can help with sizing and care.', cooldownMs: 0 }}
          hidden={false}
          dismissLabel="Dismiss"
          onEvent={() => {}}
          onEnd={() => {}}
        />
      </div>
      <Launcher {...args} />
    </>
  ),
};
