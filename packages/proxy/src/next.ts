import { configFromEnv, providerFromConfig, type ProxyConfig } from './config';
import { createConciergeHandler, type ConciergeHandlerOptions } from './handler';

/** Defaults for the route; the environment variables (`CONCIERGE_PROVIDER`, `CONCIERGE_KB_DIR`) win. */
export type NextRouteOptions = Omit<ConciergeHandlerOptions, 'provider'> & ProxyConfig;

/**
 * Route handlers for a Next.js App Router catch-all route such as
 * `app/api/concierge/[...path]/route.ts`. A bad setting throws when the route loads.
 *
 * @example
 * export const { GET, POST, OPTIONS } = createNextRouteHandlers({ kbDir: 'content' })
 */
export function createNextRouteHandlers(options: NextRouteOptions = {}) {
  const { provider, kbDir, ...handlerOptions } = options;
  const config = { provider, kbDir, ...definedOnly(configFromEnv()) };
  const handler = createConciergeHandler({ ...handlerOptions, provider: providerFromConfig(config) });
  return { GET: handler, POST: handler, OPTIONS: handler, HEAD: handler };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
