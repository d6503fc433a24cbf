import { resolve } from 'node:path';
import type { ConciergeHandlerOptions } from './handler';
import { createLocalProvider } from './local/local-provider';
import type { Provider } from './provider';

/** Providers this version of the proxy can run. */
export const PROVIDERS = ['local'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Settings for {@link providerFromConfig}; each has an environment variable. */
export interface ProxyConfig {
  /** `CONCIERGE_PROVIDER`. @default "local" */
  provider?: string;
  /** `CONCIERGE_KB_DIR`: folder of the local knowledge base. @default "./knowledge-base" */
  kbDir?: string;
}

/** A setting that is missing or malformed; the message names the variable to fix. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Reads {@link ProxyConfig} from environment variables. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): ProxyConfig {
  return { provider: env.CONCIERGE_PROVIDER || undefined, kbDir: env.CONCIERGE_KB_DIR || undefined };
}

/**
 * Checks the configuration and starts the chosen provider. Rejects with {@link ConfigError}
 * for a bad setting, so a server that awaits it fails at start-up.
 */
export async function providerFromConfig(config: ProxyConfig, cwd = process.cwd()): Promise<Provider> {
  const name = config.provider ?? 'local';
  if (!(PROVIDERS as readonly string[]).includes(name)) {
    throw new ConfigError('CONCIERGE_PROVIDER', `"${name}" is not a provider; use one of ${PROVIDERS.join(', ')}.`);
  }
  const dir = resolve(cwd, config.kbDir ?? 'knowledge-base');
  try {
    return await createLocalProvider({ dir });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ConfigError('CONCIERGE_KB_DIR', `the knowledge base folder ${dir} does not exist.`);
    }
    throw new ConfigError('CONCIERGE_KB_DIR', `the knowledge base in ${dir} could not be read: ${(error as Error).message}`);
  }
}

/** Handler options from a configuration (environment variables by default). */
export function handlerOptionsFromConfig(
  config: ProxyConfig = configFromEnv(),
  cwd?: string,
): Pick<ConciergeHandlerOptions, 'provider'> {
  return { provider: providerFromConfig(config, cwd) };
}
