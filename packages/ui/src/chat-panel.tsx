'use client';
import { ConciergeProvider, type ConciergeProviderProps } from '@concierge/react';
import { ChatWindow, type ChatWindowProps } from './chat-window';

export type ChatPanelProps = Omit<ConciergeProviderProps, 'children'> & ChatWindowProps;

/** A provider and its chat window in one piece; the widget loads it lazily on first open. */
export default function ChatPanel({ open, onClose, strings, greeting, ask, ...provider }: ChatPanelProps) {
  return (
    <ConciergeProvider {...provider}>
      <ChatWindow open={open} onClose={onClose} strings={strings} greeting={greeting} ask={ask} />
    </ConciergeProvider>
  );
}
