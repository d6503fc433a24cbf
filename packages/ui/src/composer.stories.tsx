import type { Meta, StoryObj } from '@storybook/react-vite';
import { Composer } from './composer';
import { fr } from './locales/fr';
import { StoryFrame } from './story-frame';
import { defaultStrings } from './strings';

const meta = {
  title: 'Chat/Composer',
  component: Composer,
  args: { strings: defaultStrings, draftKey: null },
  decorators: [
    (Story) => (
      <StoryFrame log={false}>
        <Story />
      </StoryFrame>
    ),
  ],
} satisfies Meta<typeof Composer>;
export default meta;
type Story = StoryObj<typeof meta>;

export const Empty: Story = {};
export const InFrench: Story = { args: { strings: fr.chat } };
