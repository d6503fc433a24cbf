import { resolve } from 'node:path';
import { createAlhenaProvider } from './alhena/alhena-provider';
import { createGleenProvider } from './gleen/gleen-provider';
import { createAlonChatProvider } from './alonchat/alonchat-provider';
import type { ConciergeHandlerOptions } from './handler';
import { createHaniaProvider } from './hania/hania-provider';
import { productCardsFromCatalog } from './local/catalog-cards';
import { createLocalProvider } from './local/local-provider';
import { createOpenAIProvider } from './openai/openai-provider';
import type { Provider, ProductFaqsSource } from './provider';
import { createRedisStore } from './redis-store';
import { MIN_SECRET_LENGTH } from './thread-tokens';

/** Providers the proxy can run. */
export const PROVIDERS = ['local', 'alhena', 'gleen', 'alonchat', 'hania', 'openai'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A setting that is missing or malformed; the message names the variable to fix. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Every setting, by its environment variable name. Code may pass the same object. */
export type ProxyEnvironment = Partial<Record<(typeof VARIABLES)[number], string>>;

export const VARIABLES = [
  'CONCIERGE_PROVIDER',
  'CONCIERGE_KB_DIR',
  'CONCIERGE_LOCAL_CHUNK_DELAY_MS',
  'CONCIERGE_PAGES_BASE_URL',
  'CONCIERGE_ALLOWED_ORIGINS',
  'CONCIERGE_UPSTREAM_TIMEOUT_MS',
  'CONCIERGE_RATE_LIMIT',
  'CONCIERGE_RATE_LIMIT_WINDOW',
  'CONCIERGE_THREAD_RATE_LIMIT',
  'CONCIERGE_DAILY_MESSAGE_LIMIT',
  'CONCIERGE_TRUST_PROXY',
  'CONCIERGE_PRODUCT_FAQS',
  'CONCIERGE_SECRET',
  'CONCIERGE_REDIS_URL',
  'CONCIERGE_WEBHOOK_URL',
  'CONCIERGE_WEBHOOK_SECRET',
  'CONCIERGE_HANDOFF_REPLY_TIME',
  'ALHENA_API_KEY',
  'ALHENA_BASE_URL',
  'GLEEN_API_KEY',
  'GLEEN_BASE_URL',
  'ALONCHAT_API_KEY',
  'ALONCHAT_AGENT_ID',
  'ALONCHAT_BASE_URL',
  'HANIA_API_KEY',
  'HANIA_BOT_ID',
  'HANIA_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_MODEL',
] as const;

/** The checked configuration. */
export interface ProxyConfig {
  provider: ProviderName;
  kbDir: string;
  allowedOrigins: string[];
  timeoutMs: number;
  rateLimit: { limit: number; windowSeconds: number; threadLimit: number | false; dailyLimit: number | false } | false;
  /** Reverse proxies in front that are trusted to append to `X-Forwarded-For`. */
  trustProxy: number;
  /** Where product FAQs come from: the provider's own API, the local generator, or nowhere. */
  productFaqs: 'provider' | 'local' | 'off';
  /** Settings of the chosen vendor, checked. */
  vendor: Record<string, string | undefined>;
  /** Key of the thread tokens; every instance needs the same. */
  secret: string | undefined;
  /** Where the proxy keeps what it remembers: this process's memory, or a Redis shared by every instance. */
  redisUrl: string | undefined;
  /** Pause between the local provider's streamed chunks, in milliseconds. */
  localChunkDelayMs: number;
  /** Where knowledge-base pages without `url:` are linked, by their path; none: not linked. */
  pagesBaseUrl: string | undefined;
  /** Where feedback, handoff and billing events are sent, signed with the secret. */
  webhook: { url: string; secret: string } | undefined;
  /** Told to a shopper who asked for a person, e.g. "within one business day". */
  handoffReplyTime: string | undefined;
}

/** Picks the Concierge variables out of an environment (`process.env` by default). */
export function environment(env: Record<string, string | undefined> = process.env): ProxyEnvironment {
  return Object.fromEntries(VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]!.trim()]] : [])));
}

/**
 * Checks every setting the chosen provider needs, synchronously, so a server fails at start-up
 * with the name of the variable to fix.
 */
export function resolveConfig(env: ProxyEnvironment, cwd = process.cwd()): ProxyConfig {
  const provider = (env.CONCIERGE_PROVIDER ?? 'local') as ProviderName;
  if (!PROVIDERS.includes(provider)) {
    throw new ConfigError('CONCIERGE_PROVIDER', `"${provider}" is not a provider; use one of ${PROVIDERS.join(', ')}.`);
  }
  const required = (name: keyof ProxyEnvironment, what: string) => {
    const value = env[name];
    if (!value) throw new ConfigError(name, `is required for CONCIERGE_PROVIDER=${provider} (${what}).`);
    return value;
  };
  const url = (name: keyof ProxyEnvironment, fallback: string) => {
    const value = env[name] ?? fallback;
    if (!isHttpUrl(value)) throw new ConfigError(name, `"${value}" is not an http or https URL.`);
    return value.replace(/\/+$/, '');
  };
  const positive = (name: keyof ProxyEnvironment, fallback: number) => {
    const value = env[name] === undefined ? fallback : Number(env[name]);
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(name, `"${env[name]}" is not a positive whole number.`);
    return value;
  };

  const vendor: Record<string, string | undefined> = {};
  switch (provider) {
    case 'alhena':
      vendor.apiKey = required('ALHENA_API_KEY', 'the secret key from Alhena');
      vendor.baseUrl = url('ALHENA_BASE_URL', 'https://api.alhena.ai');
      break;
    case 'gleen':
      vendor.apiKey = required('GLEEN_API_KEY', 'the secret key from Gleen');
      vendor.baseUrl = url('GLEEN_BASE_URL', 'https://api.gleen.ai');
      break;
    case 'alonchat':
      vendor.apiKey = required('ALONCHAT_API_KEY', 'a secret key, not a publishable one');
      vendor.agentId = required('ALONCHAT_AGENT_ID', 'the agent to talk to');
      if (!/^[\w-]{1,128}$/.test(vendor.agentId)) throw new ConfigError('ALONCHAT_AGENT_ID', 'is not an agent id.');
      vendor.baseUrl = url('ALONCHAT_BASE_URL', 'https://api.alonchat.com');
      break;
    case 'hania':
      vendor.apiKey = required('HANIA_API_KEY', 'an account key with the chat:send ability');
      vendor.botId = required('HANIA_BOT_ID', 'the bot to message');
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(vendor.botId)) {
        throw new ConfigError('HANIA_BOT_ID', `"${vendor.botId}" is not a uuid.`);
      }
      vendor.baseUrl = url('HANIA_BASE_URL', 'https://app.hania.ai');
      break;
    case 'openai':
      vendor.apiKey = env.OPENAI_API_KEY;
      vendor.baseUrl = url('OPENAI_BASE_URL', 'https://api.openai.com/v1');
      vendor.model = required('OPENAI_MODEL', 'the model name, e.g. gpt-4o-mini or llama3.1');
      if (!vendor.apiKey && vendor.baseUrl.startsWith('https://api.openai.com')) {
        throw new ConfigError('OPENAI_API_KEY', 'is required for api.openai.com (local servers such as Ollama need none).');
      }
      break;
  }

  const allowedOrigins = (env.CONCIERGE_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    if (!isHttpUrl(origin) || new URL(origin).origin !== origin.replace(/\/+$/, '')) {
      throw new ConfigError('CONCIERGE_ALLOWED_ORIGINS', `"${origin}" is not an origin such as https://shop.example.`);
    }
  }
  const limit = env.CONCIERGE_RATE_LIMIT === '0' ? 0 : positive('CONCIERGE_RATE_LIMIT', 30);
  const threadLimit = env.CONCIERGE_THREAD_RATE_LIMIT === '0' ? false : positive('CONCIERGE_THREAD_RATE_LIMIT', 20);
  const dailyLimit = env.CONCIERGE_DAILY_MESSAGE_LIMIT === undefined ? false : positive('CONCIERGE_DAILY_MESSAGE_LIMIT', 1);
  const trust = (env.CONCIERGE_TRUST_PROXY ?? '0').toLowerCase();
  const trustProxy = trust === 'true' ? 1 : trust === 'false' ? 0 : Number(trust);
  if (!Number.isInteger(trustProxy) || trustProxy < 0 || trustProxy > 10) {
    throw new ConfigError('CONCIERGE_TRUST_PROXY', `"${env.CONCIERGE_TRUST_PROXY}" must be the number of trusted proxies in front (0 to 10).`);
  }
  // Alhena, Gleen and the local provider have product FAQs; OpenAI uses the local generator on the
  // same knowledge base; AlonChat and Hania have none unless told to use the local generator.
  const ownFaqs = provider === 'alhena' || provider === 'gleen' || provider === 'local';
  const productFaqs = (env.CONCIERGE_PRODUCT_FAQS ?? (ownFaqs ? 'provider' : provider === 'openai' ? 'local' : 'off')) as ProxyConfig['productFaqs'];
  if (!['provider', 'local', 'off'].includes(productFaqs)) {
    throw new ConfigError('CONCIERGE_PRODUCT_FAQS', `"${productFaqs}" must be provider, local or off.`);
  }
  if (productFaqs === 'provider' && !ownFaqs) {
    throw new ConfigError('CONCIERGE_PRODUCT_FAQS', `${provider} has no product FAQs; use local or off.`);
  }
  const secret = env.CONCIERGE_SECRET;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('CONCIERGE_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32).`);
  }
  const pagesBaseUrl = env.CONCIERGE_PAGES_BASE_URL;
  if (pagesBaseUrl !== undefined && !/^(https?:\/\/[^/\s]+)?\/\S*$|^https?:\/\/[^/\s]+$/i.test(pagesBaseUrl)) {
    throw new ConfigError('CONCIERGE_PAGES_BASE_URL', `"${pagesBaseUrl}" is not a site path such as /help or a URL such as https://shop.example/help.`);
  }
  const redisUrl = env.CONCIERGE_REDIS_URL;
  if (redisUrl !== undefined && !(URL.canParse(redisUrl) && /^rediss?:$/.test(new URL(redisUrl).protocol))) {
    throw new ConfigError('CONCIERGE_REDIS_URL', 'is not a redis:// or rediss:// URL.');
  }
  const webhookUrl = env.CONCIERGE_WEBHOOK_URL;
  const webhookSecret = env.CONCIERGE_WEBHOOK_SECRET;
  if (webhookUrl !== undefined && !isHttpUrl(webhookUrl)) {
    throw new ConfigError('CONCIERGE_WEBHOOK_URL', `"${webhookUrl}" is not an http or https URL.`);
  }
  if (webhookUrl !== undefined && webhookSecret === undefined) {
    throw new ConfigError('CONCIERGE_WEBHOOK_SECRET', 'is required with CONCIERGE_WEBHOOK_URL, to sign the events (whsec_ and base64, e.g. "whsec_" + openssl rand -base64 32).');
  }
  if (webhookSecret !== undefined && !/^(whsec_)?[A-Za-z0-9+/]{22,}={0,2}$/.test(webhookSecret)) {
    throw new ConfigError('CONCIERGE_WEBHOOK_SECRET', 'must be "whsec_" and at least 16 bytes in base64 (e.g. "whsec_" + openssl rand -base64 32).');
  }
  const handoffReplyTime = env.CONCIERGE_HANDOFF_REPLY_TIME;
  if (handoffReplyTime !== undefined && handoffReplyTime.length > 100) {
    throw new ConfigError('CONCIERGE_HANDOFF_REPLY_TIME', 'can be at most 100 characters, e.g. "within one business day".');
  }
  return {
    provider,
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret } : undefined,
    handoffReplyTime,
    kbDir: resolve(cwd, env.CONCIERGE_KB_DIR ?? 'knowledge-base'),
    secret,
    redisUrl,
    allowedOrigins,
    timeoutMs: positive('CONCIERGE_UPSTREAM_TIMEOUT_MS', 30_000),
    pagesBaseUrl,
    localChunkDelayMs: env.CONCIERGE_LOCAL_CHUNK_DELAY_MS === '0' ? 0 : positive('CONCIERGE_LOCAL_CHUNK_DELAY_MS', 15),
    rateLimit: limit === 0 ? false : { limit, windowSeconds: positive('CONCIERGE_RATE_LIMIT_WINDOW', 60), threadLimit, dailyLimit },
    trustProxy,
    productFaqs,
    vendor,
  };
}

/** Starts the configured provider; rejects with {@link ConfigError} when the knowledge base is missing. */
export async function providerFromConfig(config: ProxyConfig, options: { fetch?: typeof fetch; log?: (line: string) => void } = {}): Promise<Provider> {
  const { vendor, timeoutMs } = config;
  const upstream = { timeoutMs, fetch: options.fetch, log: options.log };
  switch (config.provider) {
    case 'alhena':
      return createAlhenaProvider({ ...upstream, apiKey: vendor.apiKey!, baseUrl: vendor.baseUrl });
    case 'gleen':
      return createGleenProvider({ ...upstream, apiKey: vendor.apiKey!, baseUrl: vendor.baseUrl });
    case 'alonchat':
      return createAlonChatProvider({ ...upstream, apiKey: vendor.apiKey!, agentId: vendor.agentId!, baseUrl: vendor.baseUrl });
    case 'hania':
      return createHaniaProvider({ ...upstream, apiKey: vendor.apiKey!, botId: vendor.botId!, baseUrl: vendor.baseUrl });
    case 'openai':
      return withKnowledgeBase(config.kbDir, (dir) =>
        createOpenAIProvider({ ...upstream, apiKey: vendor.apiKey, baseUrl: vendor.baseUrl, model: vendor.model!, dir, pagesBaseUrl: config.pagesBaseUrl }),
      );
    default:
      return withKnowledgeBase(config.kbDir, (dir) => createLocalProvider({ dir, chunkDelayMs: config.localChunkDelayMs, pagesBaseUrl: config.pagesBaseUrl }));
  }
}

/** Handler options (provider, CORS, rate limit) from a checked configuration. */
export function handlerOptionsFromConfig(
  config: ProxyConfig,
  options: { fetch?: typeof fetch; log?: (line: string) => void } = {},
): Pick<
  ConciergeHandlerOptions,
  'provider' | 'allowedOrigins' | 'rateLimit' | 'productFaqs' | 'secret' | 'trustProxy' | 'store' | 'productCards' | 'webhook' | 'handoffReplyTime'
> {
  const provider = providerFromConfig(config, options);
  if (!config.secret) {
    (options.log ?? console.warn)(
      '[concierge] CONCIERGE_SECRET is not set: thread tokens are signed with a random key of this process, so shoppers ' +
        'lose access to their threads after a restart and on other instances. Set CONCIERGE_SECRET to the same value everywhere.',
    );
  }
  return {
    provider,
    secret: config.secret,
    trustProxy: config.trustProxy,
    ...(config.webhook ? { webhook: config.webhook } : {}),
    ...(config.handoffReplyTime ? { handoffReplyTime: config.handoffReplyTime } : {}),
    ...(config.redisUrl ? { store: createRedisStore({ url: config.redisUrl }) } : {}),
    allowedOrigins: config.allowedOrigins,
    rateLimit: config.rateLimit,
    productFaqs: config.productFaqs === 'off' ? null : config.productFaqs === 'local' ? localProductFaqs(config.kbDir) : undefined,
    // Vendors cite pages; those of the catalog's products (in CONCIERGE_KB_DIR, when there is one) come as cards.
    ...(config.provider !== 'local' && config.provider !== 'openai' ? { productCards: productCardsFromCatalog(config.kbDir) } : {}),
  };
}

/** The local FAQ generator over a knowledge base, for providers without product FAQs. */
function localProductFaqs(dir: string): ProductFaqsSource {
  const generator = withKnowledgeBase(dir, (folder) => createLocalProvider({ dir: folder }));
  generator.catch(() => {});
  return async (query) => (await generator).productFaqs!(query);
}

async function withKnowledgeBase(dir: string, create: (dir: string) => Promise<Provider>): Promise<Provider> {
  try {
    return await create(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ConfigError('CONCIERGE_KB_DIR', `the knowledge base folder ${dir} does not exist.`);
    }
    throw new ConfigError('CONCIERGE_KB_DIR', `the knowledge base in ${dir} could not be read: ${(error as Error).message}`);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
