import { existsSync } from 'node:fs';
import { ConfigError, environment, handlerOptionsFromConfig, resolveConfig, type ProxyEnvironment } from './config';
import { createConciergeHandler, type ConciergeHandlerOptions } from './handler';

export interface NextRouteOptions extends Omit<ConciergeHandlerOptions, 'provider'> {
  /** Default knowledge-base folder, relative to the app; `CONCIERGE_KB_DIR` wins. */
  kbDir?: string;
  /** Default settings by variable name; the process environment wins. */
  env?: ProxyEnvironment;
}

/**
 * Route handlers for a Next.js App Router catch-all route such as
 * `app/api/concierge/[...path]/route.ts`, configured by environment variables
 * (`CONCIERGE_PROVIDER`, `ALHENA_API_KEY`, …). A bad setting throws when the route loads.
 *
 * @example
 * export const { GET, POST, OPTIONS, HEAD } = createNextRouteHandlers({ kbDir: 'content' })
 */
export function createNextRouteHandlers(options: NextRouteOptions = {}) {
  const { kbDir, env, ...handlerOptions } = options;
  const config = resolveConfig({ ...(kbDir ? { CONCIERGE_KB_DIR: kbDir } : {}), ...env, ...environment() });
  // Checked when the route loads, which `next build` does while collecting page data: a missing
  // folder fails the build with this message rather than every chat request with a 500.
  if ((config.provider === 'local' || config.provider === 'openai') && !existsSync(config.kbDir)) {
    throw new ConfigError('CONCIERGE_KB_DIR', `the knowledge base folder ${config.kbDir} does not exist.`);
  }
  const handler = createConciergeHandler({ ...handlerOptionsFromConfig(config), ...handlerOptions });
  if (config.rateLimit && config.trustProxy === 0 && !handlerOptions.clientKey) {
    // Route handlers never see the socket, and Next passes a client's own X-Forwarded-For through.
    console.warn(
      '[concierge] CONCIERGE_TRUST_PROXY is 0, and a Next.js route cannot see the shopper\'s address: every shopper shares ' +
        'one rate-limit quota. Behind Vercel or a reverse proxy that appends to X-Forwarded-For, set CONCIERGE_TRUST_PROXY=1.',
    );
  }
  return { GET: handler, POST: handler, OPTIONS: handler, HEAD: handler };
}

export { withConcierge } from './next-config';
export type { WithConciergeOptions } from './next-config';
