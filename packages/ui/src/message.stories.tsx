import type { Meta, StoryObj } from '@storybook/react-vite';
import { Message } from './message';
import { StoryFrame } from './story-frame';
import { message } from './story-helpers';
import { defaultStrings } from './strings';

const meta = {
  title: 'Chat/Message',
  component: Message,
  args: { strings: defaultStrings, message: message('user', 'Do you ship to Canada?'), offline: false },
  decorators: [
    (Story) => (
      <StoryFrame>
        <Story />
      </StoryFrame>
    ),
  ],
} satisfies Meta<typeof Message>;
export default meta;
type Story = StoryObj<typeof meta>;

export const FromTheShopper: Story = {};

export const FromTheAssistant: Story = {
  args: {
    message: message('assistant', 'Yes: international shipping is a flat **$25**, free over $200.', {
      sources: [{ title: 'Shipping: International shipping', url: '/policies/shipping' }],
    }),
  },
};

export const NotSent: Story = { args: { message: message('user', 'Where is my order?', { status: 'failed' }) } };

export const WaitingForTheConnection: Story = { args: { message: message('user', 'Where is my order?', { status: 'queued' }), offline: true } };

export const Stopped: Story = {
  args: { message: message('assistant', 'Unworn items can be returned within', { status: 'interrupted' }) },
};
