import { createNextRouteHandlers } from '@concierge/proxy/next';

/** The store's Concierge proxy: mounted at /api/concierge and called in-process by pages. */
export const concierge = createNextRouteHandlers({ kbDir: 'content' });
