import type { Meta, StoryObj } from '@storybook/react-vite';
import { Sources } from './sources';
import { StoryFrame } from './story-frame';

const meta = {
  title: 'Chat/Sources',
  component: Sources,
  args: {
    label: 'Sources',
    sources: [
      { title: 'Returns and refunds', url: '/policies/returns' },
      { title: 'Warranty', url: '/policies/warranty' },
      { title: 'A source without a link' },
    ],
  },
  decorators: [
    (Story) => (
      <StoryFrame>
        <Story />
      </StoryFrame>
    ),
  ],
} satisfies Meta<typeof Sources>;
export default meta;
type Story = StoryObj<typeof meta>;

export const SeveralSources: Story = {};
export const OneSource: Story = { args: { sources: [{ title: 'Shipping', url: '/policies/shipping' }] } };
