import { createMockTransport } from '@concierge/core';
import { ConciergeProvider } from '@concierge/react';
import type { Meta, StoryObj } from '@storybook/react-vite';
import type { ReactNode } from 'react';
import { Composer } from './composer';
import { Launcher } from './launcher';
import { Message } from './message';
import { Sources } from './sources';
import { message } from './story-helpers';
import { defaultStrings } from './strings';

function Frame({ children }: { children: ReactNode }) {
  return (
    <div className="concierge" data-state="open" data-theme="light">
      <div className="concierge-window">
        <ConciergeProvider transport={createMockTransport()} storage={null}>
          <div className="concierge-log" role="log" aria-label="Messages">
            {children}
          </div>
        </ConciergeProvider>
      </div>
    </div>
  );
}

const meta = { title: 'Chat/Parts', parameters: { layout: 'fullscreen' } } satisfies Meta;
export default meta;
type Story = StoryObj<typeof meta>;

export const UserMessage: Story = {
  render: () => (
    <Frame>
      <Message message={message('user', 'Do you ship to Canada?')} strings={defaultStrings} />
    </Frame>
  ),
};

export const AssistantMessage: Story = {
  render: () => (
    <Frame>
      <Message
        message={message('assistant', 'Yes: international shipping is a flat **$25**, free over $200.', {
          sources: [{ title: 'Shipping: International shipping', url: '/policies/shipping' }],
        })}
        strings={defaultStrings}
      />
    </Frame>
  ),
};

export const FailedMessage: Story = {
  render: () => (
    <Frame>
      <Message message={message('user', 'Where is my order?', { status: 'failed' })} strings={defaultStrings} />
    </Frame>
  ),
};

export const SourcesList: Story = {
  render: () => (
    <Frame>
      <Sources
        label="Sources"
        sources={[
          { title: 'Returns and refunds', url: '/policies/returns' },
          { title: 'Warranty', url: '/policies/warranty' },
          { title: 'A source without a link' },
        ]}
      />
    </Frame>
  ),
};

export const ComposerEmpty: Story = {
  render: () => (
    <div className="concierge" data-state="open" data-theme="light">
      <div className="concierge-window">
        <ConciergeProvider transport={createMockTransport()} storage={null}>
          <Composer strings={defaultStrings} draftKey={null} />
        </ConciergeProvider>
      </div>
    </div>
  ),
};

export const LauncherButton: Story = {
  render: () => (
    <div className="concierge" data-state="closed" data-theme="light">
      <Launcher open={false} label="Open chat" />
    </div>
  ),
};
