// What every streaming page shares: its parameters, the earlier turns, the paced tokens and the
// counters of what the browser had to do (DOM commits per message, frames). Each page renders
// messages as <article data-role data-status="streaming" while it streams>.

const parameters = new URL(location.href).searchParams;
export const TOKENS = Number(parameters.get('tokens') ?? 5000);
export const DURATION_MS = Number(parameters.get('duration') ?? 5000);
export const HISTORY = Number(parameters.get('history') ?? 20);
export const THROTTLE_MS = parameters.get('throttle') ? Number(parameters.get('throttle')) : undefined;

export function newBench() {
  const bench = { commitsStreaming: 0, commitsOther: 0, frames: 0, startedAt: 0, endedAt: 0, done: false };
  window.__bench = bench;
  return bench;
}

/** The reply's tokens, at a steady pace over DURATION_MS from the first one; Markdown now and then. */
export async function* pace(bench) {
  bench.startedAt = performance.now();
  for (let index = 0; index < TOKENS; index++) {
    const wait = bench.startedAt + (index * DURATION_MS) / TOKENS - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    yield index % 40 === 39 ? `token${index}.\n\n` : index % 9 === 8 ? `**token${index}** ` : `token${index} `;
  }
}

/** Our transport, streaming the paced tokens as one reply (the widget and hooks pages). */
export function pacedTransport(bench) {
  return {
    async *sendMessage() {
      yield { type: 'start', threadId: 'bench', messageId: 'reply' };
      for await (const text of pace(bench)) yield { type: 'delta', text };
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
}

/** A plain composer: Enter sends what was typed (the hooks and useChat pages). */
export function composer(h, useState, send) {
  const [draft, setDraft] = useState('');
  return h('textarea', {
    'aria-label': 'Message',
    value: draft,
    onChange: (event) => setDraft(event.target.value),
    onKeyDown: (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      send(draft);
      setDraft('');
    },
  });
}

/** Earlier turns, so a whole-list re-render shows up as commits in other messages. */
export const history = Array.from({ length: HISTORY }, (_, index) => ({
  id: `h${index}`,
  role: index % 2 ? 'assistant' : 'user',
  text: index % 2 ? `An earlier **answer** number ${index} with a [link](https://shop.example/${index}).` : `Question ${index}?`,
}));

export function measure(bench) {
  const root = document.getElementById('root');
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
  }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });

  const countFrame = () => {
    if (bench.startedAt && !bench.endedAt) bench.frames++;
    if (!bench.done) requestAnimationFrame(countFrame);
  };
  requestAnimationFrame(countFrame);

  new MutationObserver(() => {
    const reply = [...document.querySelectorAll('article[data-role="assistant"]')].at(-1);
    if (bench.startedAt && !bench.done && reply && !reply.dataset.status && reply.textContent?.includes(`token${TOKENS - 1}`)) {
      bench.endedAt = performance.now();
      bench.done = true;
    }
  }).observe(root, { subtree: true, childList: true, characterData: true });
}
