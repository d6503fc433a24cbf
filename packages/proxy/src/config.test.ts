import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, environment, handlerOptionsFromConfig, providerFromConfig, resolveConfig } from './config';
import { createConciergeHandler } from './handler';

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));
const BOT = 'b1f2c3d4-5678-90ab-cdef-1234567890ab';

function failure(env: Record<string, string>): ConfigError {
  try {
    resolveConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('defaults to the local provider with a rate limit and no other origins', () => {
    expect(resolveConfig({}, '/srv/shop')).toEqual({
      provider: 'local',
      kbDir: '/srv/shop/knowledge-base',
      allowedOrigins: [],
      timeoutMs: 30_000,
      rateLimit: { limit: 30, windowSeconds: 60, threadLimit: 20, dailyLimit: false },
      trustProxy: 0,
      productFaqs: 'provider',
      vendor: {},
      secret: undefined,
      redisUrl: undefined,
      localChunkDelayMs: 15,
      pagesBaseUrl: undefined,
      webhook: undefined,
      handoffReplyTime: undefined,
    });
  });

  it('reads the webhook (its secret required and checked) and the handoff reply time', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const config = resolveConfig({ CONCIERGE_KB_DIR: KB_DIR, CONCIERGE_WEBHOOK_URL: 'https://hooks.shop.example/concierge', CONCIERGE_WEBHOOK_SECRET: secret, CONCIERGE_HANDOFF_REPLY_TIME: 'within 2 hours' });
    expect(config.webhook).toEqual({ url: 'https://hooks.shop.example/concierge', secret });
    expect(handlerOptionsFromConfig(config, { log: () => {} })).toMatchObject({ webhook: config.webhook, handoffReplyTime: 'within 2 hours' });
    expect(failure({ CONCIERGE_WEBHOOK_URL: 'https://hooks.shop.example/concierge' }).variable).toBe('CONCIERGE_WEBHOOK_SECRET');
    expect(failure({ CONCIERGE_WEBHOOK_URL: 'ftp://hooks.shop.example', CONCIERGE_WEBHOOK_SECRET: secret }).variable).toBe('CONCIERGE_WEBHOOK_URL');
    expect(failure({ CONCIERGE_WEBHOOK_URL: 'https://hooks.shop.example', CONCIERGE_WEBHOOK_SECRET: 'hunter2' }).variable).toBe('CONCIERGE_WEBHOOK_SECRET');
    expect(failure({ CONCIERGE_HANDOFF_REPLY_TIME: 'x'.repeat(101) }).variable).toBe('CONCIERGE_HANDOFF_REPLY_TIME');
  });

  it('reads where pages without a URL are linked, a site path or an http(s) URL', () => {
    expect(resolveConfig({ CONCIERGE_PAGES_BASE_URL: '/help' }).pagesBaseUrl).toBe('/help');
    expect(resolveConfig({ CONCIERGE_PAGES_BASE_URL: 'https://shop.example/help' }).pagesBaseUrl).toBe('https://shop.example/help');
    expect(() => resolveConfig({ CONCIERGE_PAGES_BASE_URL: 'javascript:alert(1)' })).toThrow(/CONCIERGE_PAGES_BASE_URL/);
    expect(() => resolveConfig({ CONCIERGE_PAGES_BASE_URL: 'help pages' })).toThrow(/CONCIERGE_PAGES_BASE_URL/);
  });

  it('reads the local provider\'s pace, 0 for none, and refuses anything else', () => {
    expect(resolveConfig({ CONCIERGE_LOCAL_CHUNK_DELAY_MS: '80' }).localChunkDelayMs).toBe(80);
    expect(resolveConfig({ CONCIERGE_LOCAL_CHUNK_DELAY_MS: '0' }).localChunkDelayMs).toBe(0);
    expect(() => resolveConfig({ CONCIERGE_LOCAL_CHUNK_DELAY_MS: 'fast' })).toThrow(/CONCIERGE_LOCAL_CHUNK_DELAY_MS/);
  });

  it('reads the trusted proxies, the per-thread limit and the daily cap', () => {
    expect(resolveConfig({ CONCIERGE_TRUST_PROXY: '2', CONCIERGE_THREAD_RATE_LIMIT: '5', CONCIERGE_DAILY_MESSAGE_LIMIT: '1000' })).toMatchObject({
      trustProxy: 2,
      rateLimit: { limit: 30, windowSeconds: 60, threadLimit: 5, dailyLimit: 1000 },
    });
    expect(resolveConfig({ CONCIERGE_TRUST_PROXY: 'true', CONCIERGE_THREAD_RATE_LIMIT: '0' })).toMatchObject({
      trustProxy: 1,
      rateLimit: { threadLimit: false },
    });
  });

  it('takes CONCIERGE_SECRET for thread tokens, and warns when instances would each sign with their own key', () => {
    const secret = 'k'.repeat(32);
    expect(resolveConfig({ CONCIERGE_SECRET: secret }).secret).toBe(secret);
    const logs: string[] = [];
    expect(handlerOptionsFromConfig(resolveConfig({ CONCIERGE_SECRET: secret, CONCIERGE_KB_DIR: KB_DIR }), { log: (line) => logs.push(line) }).secret).toBe(secret);
    expect(logs).toEqual([]);
    handlerOptionsFromConfig(resolveConfig({ CONCIERGE_KB_DIR: KB_DIR }), { log: (line) => logs.push(line) });
    expect(logs.join('')).toMatch(/CONCIERGE_SECRET is not set.*same value everywhere/);
  });

  it.each([
    [{ CONCIERGE_PROVIDER: 'acme' }, 'CONCIERGE_PROVIDER', /not a provider/],
    [{ CONCIERGE_PROVIDER: 'alhena' }, 'ALHENA_API_KEY', /required/],
    [{ CONCIERGE_PROVIDER: 'alhena', ALHENA_API_KEY: 'k', ALHENA_BASE_URL: 'api.alhena.ai' }, 'ALHENA_BASE_URL', /http or https/],
    [{ CONCIERGE_PROVIDER: 'gleen' }, 'GLEEN_API_KEY', /required/],
    [{ CONCIERGE_PROVIDER: 'alonchat', ALONCHAT_API_KEY: 'k' }, 'ALONCHAT_AGENT_ID', /required/],
    [{ CONCIERGE_PROVIDER: 'alonchat', ALONCHAT_API_KEY: 'k', ALONCHAT_AGENT_ID: 'a b' }, 'ALONCHAT_AGENT_ID', /not an agent id/],
    [{ CONCIERGE_PROVIDER: 'hania', HANIA_BOT_ID: BOT }, 'HANIA_API_KEY', /required/],
    [{ CONCIERGE_PROVIDER: 'hania', HANIA_API_KEY: 'k', HANIA_BOT_ID: 'bot-1' }, 'HANIA_BOT_ID', /not a uuid/],
    [{ CONCIERGE_PROVIDER: 'openai', OPENAI_API_KEY: 'k' }, 'OPENAI_MODEL', /required/],
    [{ CONCIERGE_PROVIDER: 'openai', OPENAI_MODEL: 'gpt-4o-mini' }, 'OPENAI_API_KEY', /required for api.openai.com/],
    [{ CONCIERGE_ALLOWED_ORIGINS: 'https://shop.example/path' }, 'CONCIERGE_ALLOWED_ORIGINS', /not an origin/],
    [{ CONCIERGE_UPSTREAM_TIMEOUT_MS: 'soon' }, 'CONCIERGE_UPSTREAM_TIMEOUT_MS', /positive whole number/],
    [{ CONCIERGE_RATE_LIMIT: '-5' }, 'CONCIERGE_RATE_LIMIT', /positive whole number/],
    [{ CONCIERGE_PRODUCT_FAQS: 'sometimes' }, 'CONCIERGE_PRODUCT_FAQS', /provider, local or off/],
    [{ CONCIERGE_SECRET: 'short' }, 'CONCIERGE_SECRET', /at least 32 characters/],
    [{ CONCIERGE_TRUST_PROXY: 'yes' }, 'CONCIERGE_TRUST_PROXY', /number of trusted proxies/],
    [{ CONCIERGE_REDIS_URL: 'http://cache:6379' }, 'CONCIERGE_REDIS_URL', /redis:\/\/ or rediss:\/\//],
    [{ CONCIERGE_DAILY_MESSAGE_LIMIT: 'lots' }, 'CONCIERGE_DAILY_MESSAGE_LIMIT', /positive whole number/],
    [{ CONCIERGE_THREAD_RATE_LIMIT: '-1' }, 'CONCIERGE_THREAD_RATE_LIMIT', /positive whole number/],
    [{ CONCIERGE_PROVIDER: 'hania', HANIA_API_KEY: 'k', HANIA_BOT_ID: BOT, CONCIERGE_PRODUCT_FAQS: 'provider' }, 'CONCIERGE_PRODUCT_FAQS', /hania has no product FAQs/],
  ])('fails fast naming the variable (%#)', (env, variable, message) => {
    const error = failure(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toMatch(message);
  });

  it('reads every vendor setting, with default base URLs', () => {
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'alhena', ALHENA_API_KEY: 'k' }).vendor).toEqual({ apiKey: 'k', baseUrl: 'https://api.alhena.ai' });
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'gleen', GLEEN_API_KEY: 'k' }).vendor.baseUrl).toBe('https://api.gleen.ai');
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'alonchat', ALONCHAT_API_KEY: 'k', ALONCHAT_AGENT_ID: 'agent_xyz' }).vendor).toEqual({
      apiKey: 'k',
      agentId: 'agent_xyz',
      baseUrl: 'https://api.alonchat.com',
    });
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'hania', HANIA_API_KEY: 'k', HANIA_BOT_ID: BOT, HANIA_BASE_URL: 'https://eu.hania.example/' }).vendor).toEqual({
      apiKey: 'k',
      botId: BOT,
      baseUrl: 'https://eu.hania.example',
    });
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_MODEL: 'llama3.1' }).vendor).toEqual({
      apiKey: undefined,
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
    });
    const config = resolveConfig({
      CONCIERGE_ALLOWED_ORIGINS: 'https://shop.example, https://www.shop.example',
      CONCIERGE_RATE_LIMIT: '0',
      CONCIERGE_UPSTREAM_TIMEOUT_MS: '5000',
    });
    expect(config).toMatchObject({ allowedOrigins: ['https://shop.example', 'https://www.shop.example'], rateLimit: false, timeoutMs: 5000 });
  });

  it('chooses where product FAQs come from per provider', () => {
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'alhena', ALHENA_API_KEY: 'k' }).productFaqs).toBe('provider');
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'openai', OPENAI_API_KEY: 'k', OPENAI_MODEL: 'm' }).productFaqs).toBe('local');
    expect(resolveConfig({ CONCIERGE_PROVIDER: 'alonchat', ALONCHAT_API_KEY: 'k', ALONCHAT_AGENT_ID: 'a' }).productFaqs).toBe('off');
    expect(
      resolveConfig({ CONCIERGE_PROVIDER: 'hania', HANIA_API_KEY: 'k', HANIA_BOT_ID: BOT, CONCIERGE_PRODUCT_FAQS: 'local' }).productFaqs,
    ).toBe('local');
  });

  it('serves local FAQs for a provider without its own when configured, and none when off', async () => {
    const page = encodeURIComponent('https://shop.example/products/cast-iron-skillet');
    const base = { CONCIERGE_PROVIDER: 'hania', HANIA_API_KEY: 'k', HANIA_BOT_ID: BOT, CONCIERGE_KB_DIR: KB_DIR } as const;
    const local = createConciergeHandler(handlerOptionsFromConfig(resolveConfig({ ...base, CONCIERGE_PRODUCT_FAQS: 'local' })));
    const ask = (handler: typeof local) => handler(new Request(`https://shop.example/api/concierge/product-faqs?page_url=${page}`));
    expect((await ask(local)).status).toBe(202);
    // Polled as the widget polls; the generation finishes within a Retry-After.
    let status = '';
    for (let attempt = 0; attempt < 30 && status !== 'ready'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = ((await (await ask(local)).json()) as { status: string }).status;
    }
    expect(status).toBe('ready');
    const off = createConciergeHandler(handlerOptionsFromConfig(resolveConfig(base)));
    expect(await (await ask(off)).json()).toEqual({ status: 'not_available', faqs: [] });
  });

  it('picks only its own variables out of the environment', () => {
    expect(environment({ CONCIERGE_PROVIDER: ' alhena ', PATH: '/bin', ALHENA_API_KEY: 'k', EMPTY: '' })).toEqual({
      CONCIERGE_PROVIDER: 'alhena',
      ALHENA_API_KEY: 'k',
    });
  });

  it('names CONCIERGE_KB_DIR when the knowledge base folder is missing', async () => {
    await expect(providerFromConfig(resolveConfig({ CONCIERGE_KB_DIR: '/nowhere' }))).rejects.toThrow(/^CONCIERGE_KB_DIR: .*does not exist/);
    const provider = await providerFromConfig(resolveConfig({ CONCIERGE_KB_DIR: KB_DIR }));
    expect(provider.name).toBe('local');
  });
});
