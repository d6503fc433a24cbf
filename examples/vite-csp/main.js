import '@concierge/ui/styles.css';
import { ConciergeWidget } from '@concierge/ui';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('chat')).render(
  createElement(ConciergeWidget, {
    endpoint: '/api/concierge',
    greeting: 'Hello from a locked-down page.',
    theme: 'auto',
    brandColor: '#5b2a86',
  }),
);
