import { createNextRouteHandlers } from '@concierge/proxy/next';
import { demoOrders } from './orders';
import { supportInbox } from './support-inbox';

type Concierge = ReturnType<typeof createNextRouteHandlers>;
const shared = globalThis as typeof globalThis & { __concierge?: Concierge };

/**
 * The store's Concierge proxy: mounted at /api/concierge and called in-process by pages. Next
 * bundles the route and the pages separately, so the one handler of the process is kept on
 * `globalThis`: its FAQ cache, threads and limits serve both.
 */
export const concierge: Concierge = (shared.__concierge ??= createNextRouteHandlers({ kbDir: 'content', orders: demoOrders, ...supportInbox }));
