import { relative, resolve } from 'node:path';
import { ConfigError, environment, providerFromConfig, resolveConfig, type ProxyEnvironment } from './config';

export interface WithConciergeOptions {
  /** Knowledge-base folder, relative to the app, as given to `createNextRouteHandlers`; `CONCIERGE_KB_DIR` wins. @default "content" */
  kbDir?: string;
  /** Default settings by variable name; the process environment wins. */
  env?: ProxyEnvironment;
  /** Routes whose server output gets the knowledge base (a glob of Next routes). @default every route: "/**" */
  routes?: string;
}

type Phase = string;
/** What of a Next.js config this touches; the rest is passed through as is. */
interface Traced {
  outputFileTracingIncludes?: Record<string, string[]>;
  serverExternalPackages?: string[];
}

/**
 * Wraps a Next.js config for Concierge:
 * - checks the settings and reads the knowledge base when `next build`, `next dev` or `next start`
 *   loads the config, so a bad setting or a missing `content/` folder fails there with the message
 *   `concierge-proxy` gives, not with 500s at request time (a vendor key missing at build time only
 *   warns: it may be given to the server alone);
 * - traces the knowledge-base folder into the build output, so `output: 'standalone'` and
 *   serverless deploys carry it;
 * - keeps `@concierge/proxy` out of the server bundle (it reads files and talks to Redis).
 *
 * @example
 * // next.config.ts
 * import { withConcierge } from '@concierge/proxy/next';
 * export default withConcierge({ output: 'standalone' }, { kbDir: 'content' });
 */
export function withConcierge<T extends object>(
  nextConfig: T | ((phase: Phase, context: unknown) => T | Promise<T>) = {} as T,
  options: WithConciergeOptions = {},
) {
  return async (phase: Phase, context: unknown): Promise<T & Required<Traced>> => {
    const base = (typeof nextConfig === 'function' ? await nextConfig(phase, context) : nextConfig) as T & Traced;
    const settings = { CONCIERGE_KB_DIR: options.kbDir ?? 'content', ...options.env, ...environment() };
    const building = phase === 'phase-production-build';
    try {
      const config = resolveConfig(settings);
      // Reading the knowledge base now proves it is there and well-formed.
      if (config.provider === 'local' || config.provider === 'openai') await providerFromConfig(config, { log: () => {} });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (building && / is required /.test(error.message)) {
        console.warn(`[concierge] ${error.message} Set it where the server runs.`);
      } else {
        // Shown by Next as the reason the build or the server did not start.
        throw new Error(`concierge: ${error.message}`);
      }
    }
    const kbDir = relative(process.cwd(), resolve(settings.CONCIERGE_KB_DIR)).split('\\').join('/') || '.';
    const routes = options.routes ?? '/**';
    const includes = base.outputFileTracingIncludes ?? {};
    return {
      ...base,
      serverExternalPackages: [...new Set([...(base.serverExternalPackages ?? []), '@concierge/proxy'])],
      outputFileTracingIncludes: { ...includes, [routes]: [...(includes[routes] ?? []), `./${kbDir}/**/*`] },
    };
  };
}
