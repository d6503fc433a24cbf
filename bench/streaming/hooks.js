// Our headless hooks with plain markup (no Markdown), as a store that brings its own UI renders them.
import { ConciergeProvider, useStream, useThread } from '@concierge/react';
import { createElement as h, memo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { composer, history, measure, newBench, pacedTransport } from './measure.js';

const bench = newBench();
const transport = pacedTransport(bench);
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
  return h(
    'main',
    null,
    list.map((message) => h(Message, { key: message.id, message })),
    h(Streaming),
    composer(h, useState, (text) => send(text).catch(() => {})),
  );
}

createRoot(document.getElementById('root')).render(h(ConciergeProvider, { transport, storageKey: 'concierge:bench-hooks' }, h(Chat)));
measure(bench);
