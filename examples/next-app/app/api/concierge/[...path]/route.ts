import { createNextRouteHandlers } from '@concierge/proxy/next';

export const { GET, POST, OPTIONS, HEAD } = createNextRouteHandlers({ kbDir: 'content' });
