// A chat window receiving a long reply from an in-page transport at a steady rate, with counters
// for what the browser had to do: DOM commits per message, frames, main-thread time.
import '@concierge/ui/styles.css';
import { ConciergeProvider } from '@concierge/react';
import { ChatWindow } from '@concierge/ui/chat';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const parameters = new URL(location.href).searchParams;
const TOKENS = Number(parameters.get('tokens') ?? 5000);
const DURATION_MS = Number(parameters.get('duration') ?? 5000);
const HISTORY = Number(parameters.get('history') ?? 20);

const bench = { commitsStreaming: 0, commitsOther: 0, frames: 0, startedAt: 0, endedAt: 0, done: false };
window.__bench = bench;

const transport = {
  async *sendMessage() {
    yield { type: 'start', threadId: 'bench', messageId: 'reply' };
    bench.startedAt = performance.now();
    for (let index = 0; index < TOKENS; index++) {
      const wait = bench.startedAt + (index * DURATION_MS) / TOKENS - performance.now();
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      yield { type: 'delta', text: index % 40 === 39 ? `token${index}.\n\n` : index % 9 === 8 ? `**token${index}** ` : `token${index} ` };
    }
    yield { type: 'sources', sources: [{ title: 'Returns', url: '/policies/returns' }] };
    yield { type: 'done', threadId: 'bench', messageId: 'reply' };
  },
  async getProductFaqs() {
    return { status: 'not_available', faqs: [] };
  },
  async getThread(threadId) {
    return { threadId, messages: [] };
  },
};

// Earlier turns, so a whole-list re-render would show up as commits in other messages.
const history = Array.from({ length: HISTORY }, (_, index) => ({
  id: `h${index}`,
  role: index % 2 ? 'assistant' : 'user',
  text: index % 2 ? `An earlier **answer** number ${index} with a [link](https://shop.example/${index}).` : `Question ${index}?`,
  createdAt: new Date(0).toISOString(),
}));
localStorage.setItem('concierge:bench', JSON.stringify({ threadId: null, messages: history }));

createRoot(document.getElementById('root')).render(
  createElement(ConciergeProvider, { transport, storageKey: 'concierge:bench' }, createElement(ChatWindow, { open: true })),
);

new MutationObserver((records) => {
  let streaming = false;
  let other = false;
  for (const record of records) {
    const target = record.target instanceof Element ? record.target : record.target.parentElement;
    const article = target?.closest('article');
    if (article?.dataset.status === 'streaming') streaming = true;
    else if (article) other = true;
  }
  // One observer callback per React commit that touched the DOM.
  if (streaming) bench.commitsStreaming++;
  if (other && bench.startedAt && !bench.endedAt) bench.commitsOther++;
}).observe(document.getElementById('root'), { subtree: true, childList: true, characterData: true, attributes: true });

const countFrame = () => {
  if (bench.startedAt && !bench.endedAt) bench.frames++;
  if (!bench.done) requestAnimationFrame(countFrame);
};
requestAnimationFrame(countFrame);

new MutationObserver(() => {
  const reply = document.querySelector('article[data-role="assistant"]:last-of-type');
  if (bench.startedAt && !bench.done && reply && !reply.dataset.status && reply.textContent?.includes(`token${TOKENS - 1}`)) {
    bench.endedAt = performance.now();
    bench.done = true;
  }
}).observe(document.getElementById('root'), { subtree: true, childList: true });
