// Our headless hooks with plain markup (no Markdown), as a store that brings its own UI renders them.
import { ConciergeProvider, useStream, useThread } from '@concierge/react';
import { createElement as h, memo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { history, measure, newBench, pace } from './measure.js';

const bench = newBench();
const transport = {
  async *sendMessage() {
    yield { type: 'start', threadId: 'bench', messageId: 'reply' };
    for await (const text of pace(bench)) yield { type: 'delta', text };
    yield { type: 'sources', sources: [] };
    yield { type: 'done', threadId: 'bench', messageId: 'reply' };
  },
  async getProductFaqs() {
    return { status: 'not_available', faqs: [] };
  },
  async getThread(threadId) {
    return { threadId, messages: [] };
  },
};
const messages = history.map((message) => ({ ...message, createdAt: new Date(0).toISOString() }));
localStorage.setItem('concierge:bench-hooks', JSON.stringify({ threadId: null, messages }));

const Message = memo(({ message }) => h('article', { 'data-role': message.role }, h('p', null, message.text)));

function Streaming() {
  const { text, status } = useStream();
  if (status !== 'streaming') return null;
  return h('article', { 'data-role': 'assistant', 'data-status': 'streaming' }, h('p', null, text));
}

function Chat() {
  const { messages: list, send } = useThread((thread) => ({ messages: thread.messages, send: thread.send }));
  const [draft, setDraft] = useState('');
  return h(
    'main',
    null,
    list.map((message) => h(Message, { key: message.id, message })),
    h(Streaming),
    h('textarea', {
      'aria-label': 'Message',
      value: draft,
      onChange: (event) => setDraft(event.target.value),
      onKeyDown: (event) => {
        if (event.key !== 'Enter') return;
        event.preventDefault();
        send(draft).catch(() => {});
        setDraft('');
      },
    }),
  );
}

createRoot(document.getElementById('root')).render(h(ConciergeProvider, { transport, storageKey: 'concierge:bench-hooks' }, h(Chat)));
measure(bench);
