// The AI SDK's useChat on the same stream and thread, with plain markup as in hooks.js; `throttle`
// in the URL sets its throttle (default: none, its default).
import { useChat } from '@ai-sdk/react';
import { createElement as h, memo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { composer, history, measure, newBench, pace, THROTTLE_MS } from './measure.js';

const bench = newBench();
const transport = {
  async sendMessages() {
    return new ReadableStream({
      async start(controller) {
        controller.enqueue({ type: 'start', messageId: 'reply' });
        controller.enqueue({ type: 'text-start', id: 'text' });
        for await (const delta of pace(bench)) controller.enqueue({ type: 'text-delta', id: 'text', delta });
        controller.enqueue({ type: 'text-end', id: 'text' });
        controller.enqueue({ type: 'finish' });
        controller.close();
      },
    });
  },
  async reconnectToStream() {
    return null;
  },
};
const initial = history.map(({ id, role, text }) => ({ id, role, parts: [{ type: 'text', text }] }));
const textOf = (message) => message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');

const Message = memo(({ message, streaming }) =>
  h('article', { 'data-role': message.role, 'data-status': streaming ? 'streaming' : undefined }, h('p', null, textOf(message))),
);

function Chat() {
  const { messages, sendMessage, status } = useChat({ transport, messages: initial, ...(THROTTLE_MS ? { experimental_throttle: THROTTLE_MS } : {}) });
  const last = messages.length - 1;
  return h(
    'main',
    null,
    messages.map((message, index) =>
      h(Message, { key: message.id, message, streaming: index === last && message.role === 'assistant' && (status === 'streaming' || status === 'submitted') }),
    ),
    composer(h, useState, (text) => sendMessage({ text })),
  );
}

createRoot(document.getElementById('root')).render(h(Chat));
measure(bench);
