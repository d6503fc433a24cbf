// Our whole chat window (Markdown on) receiving a long reply from an in-page transport.
import '@concierge/ui/styles.css';
import { ConciergeProvider } from '@concierge/react';
import { ChatWindow } from '@concierge/ui/chat';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { history, measure, newBench, pacedTransport } from './measure.js';

const bench = newBench();
const transport = pacedTransport(bench);
const messages = history.map((message) => ({ ...message, createdAt: new Date(0).toISOString() }));
localStorage.setItem('concierge:bench', JSON.stringify({ threadId: null, messages }));

// Inside the widget's root, as on a store's page: the window has its real size, so a long thread
// is virtualized as it would be.
createRoot(document.getElementById('root')).render(
  createElement(
    'div',
    { className: 'concierge', 'data-state': 'open' },
    createElement(ConciergeProvider, { transport, storageKey: 'concierge:bench' }, createElement(ChatWindow, { open: true, starters: false })),
  ),
);
measure(bench);
