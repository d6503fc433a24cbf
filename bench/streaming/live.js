// Our chat window over HTTP to a real Concierge proxy and a fake model (bench/first-token.mjs).
// Records, for each message, when Enter was pressed and when the reply's first token was painted.
import '@concierge/ui/styles.css';
import { ConciergeProvider } from '@concierge/react';
import { ChatWindow } from '@concierge/ui/chat';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const now = () => performance.timeOrigin + performance.now();
const bench = { sends: [] };
window.__bench = bench;
const replies = () => document.querySelectorAll('article[data-role="assistant"]');

// Capture phase: before the composer handles the key.
document.addEventListener(
  'keydown',
  (event) => {
    if (event.key === 'Enter' && event.target instanceof HTMLTextAreaElement) bench.sends.push({ sentAt: now(), before: replies().length });
  },
  true,
);
// "Painted": the end of the frame whose rendering includes the first token. A task posted from
// within a frame runs once that frame's rendering is done; a token that arrives outside a frame
// waits for the next one. Our frame loop's callback runs first in each frame, so it tells the two
// apart.
const tasks = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => tasks.shift()?.();
const afterTask = (task) => {
  tasks.push(task);
  channel.port2.postMessage(0);
};
let inFrame = false;
const frame = () => {
  inFrame = true;
  afterTask(() => (inFrame = false));
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);

const root = document.getElementById('root');
new MutationObserver(() => {
  const send = bench.sends.at(-1);
  if (!send || send.seen) return;
  const all = replies();
  // The model's first token is "w0".
  if (all.length > send.before && all[all.length - 1].textContent?.includes('w0')) {
    send.seen = true;
    send.domAt = now();
    const painted = () => afterTask(() => (send.paintedAt = now()));
    if (inFrame) painted();
    else requestAnimationFrame(painted);
  }
}).observe(root, { subtree: true, childList: true, characterData: true });

createRoot(root).render(
  createElement(
    'div',
    { className: 'concierge', 'data-state': 'open' },
    createElement(ConciergeProvider, { endpoint: '/api/concierge', storage: null }, createElement(ChatWindow, { open: true, starters: false })),
  ),
);
