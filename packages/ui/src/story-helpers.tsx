// Helpers for stories only: a chat in a chosen state, with no network.
import { createMockTransport, type ChatMessage, type MockTransportOptions, type RetryOptions } from '@concierge/core';
import { ConciergeProvider, useThread } from '@concierge/react';
import { useEffect, useRef, type ReactNode } from 'react';
import { ChatWindow } from './chat-window';
import { defaultStrings, type ConciergeStrings } from './strings';

export interface ChatStoryProps {
  transcript?: ChatMessage[];
  transport?: MockTransportOptions;
  /** Sent when the story opens, to show waiting, streaming and error states. */
  autoSend?: string;
  greeting?: string;
  strings?: ConciergeStrings;
  theme?: 'light' | 'dark' | 'auto';
  /** Pretend the device is offline. */
  offline?: boolean;
  /** Automatic retries; off by default, so an error story shows the final error. */
  retry?: RetryOptions;
  /** Starter questions of an empty conversation (`false`: none). */
  starters?: string[] | false;
  /** "Talk to a person" is on. */
  handoff?: boolean;
  children?: ReactNode;
}

const NO_RETRY = { maxAttempts: 1 };
const OFFLINE = { isOnline: () => false, subscribe: () => () => {} };

export function ChatStory({
  transcript = [],
  transport,
  autoSend,
  greeting,
  strings = defaultStrings,
  theme = 'light',
  offline,
  retry = NO_RETRY,
  starters,
  handoff,
}: ChatStoryProps) {
  const storage = {
    getItem: () => JSON.stringify({ threadId: transcript.length ? 'story-thread' : null, messages: transcript }),
    setItem: () => {},
    removeItem: () => {},
  };
  return (
    <div className="concierge" data-state="open" data-theme={theme} dir={strings.dir} lang={strings.locale}>
      <ConciergeProvider
        transport={createMockTransport(transport)}
        storage={storage}
        storageKey="story"
        connectivity={offline ? OFFLINE : undefined}
        retry={retry}
      >
        <ChatWindow open strings={strings} greeting={greeting} onClose={() => {}} starters={starters} handoff={handoff} />
        {autoSend && <AutoSend text={autoSend} />}
      </ConciergeProvider>
    </div>
  );
}

function AutoSend({ text }: { text: string }) {
  const send = useThread((thread) => thread.send);
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    send(text).catch(() => {});
  }, [send, text]);
  return null;
}

let clock = Date.parse('2026-11-22T10:00:00Z');

/** A finished message for a transcript. */
export function message(role: ChatMessage['role'], text: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  clock += 45_000;
  return { id: `${role}-${clock}`, role, text, createdAt: new Date(clock).toISOString(), ...extra };
}
