import { parseArgs } from 'node:util';
import { ConfigError, environment, handlerOptionsFromConfig, resolveConfig } from './config';
import { createConciergeHandler } from './handler';
import { createNodeServer } from './node';

const USAGE = `Usage: concierge-proxy [--port N] [--provider NAME] [--kb-dir DIR] [--base-path PATH] [--trust-proxy]

  --port        PORT                  port to listen on (default 8787)
  --provider    CONCIERGE_PROVIDER    local, alhena, gleen, alonchat, hania or openai (default local)
  --kb-dir      CONCIERGE_KB_DIR      knowledge base folder for local and openai (default ./knowledge-base)
  --base-path                         path the routes live under (default /api/concierge)
  --trust-proxy CONCIERGE_TRUST_PROXY trust one reverse proxy in front (the variable takes the number of proxies)

Vendor settings come from the environment: ALHENA_API_KEY, GLEEN_API_KEY, ALONCHAT_API_KEY,
ALONCHAT_AGENT_ID, HANIA_API_KEY, HANIA_BOT_ID, OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL,
*_BASE_URL, CONCIERGE_ALLOWED_ORIGINS, CONCIERGE_UPSTREAM_TIMEOUT_MS, CONCIERGE_RATE_LIMIT(_WINDOW),
CONCIERGE_THREAD_RATE_LIMIT, CONCIERGE_DAILY_MESSAGE_LIMIT,
CONCIERGE_SECRET (the key of thread tokens; the same on every instance).
Flags win over environment variables.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      provider: { type: 'string' },
      'kb-dir': { type: 'string' },
      'base-path': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const portText = values.port ?? process.env.PORT ?? '8787';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(values.port ? '--port' : 'PORT', `"${portText}" is not a port number.`);
  }
  const env = environment();
  if (values.provider) env.CONCIERGE_PROVIDER = values.provider;
  if (values['kb-dir']) env.CONCIERGE_KB_DIR = values['kb-dir'];
  if (values['trust-proxy']) env.CONCIERGE_TRUST_PROXY = '1';
  const config = resolveConfig(env);
  const options = handlerOptionsFromConfig(config);
  const provider = await options.provider;
  const basePath = values['base-path'] ?? '/api/concierge';
  const handler = createConciergeHandler({ ...options, provider, basePath });
  const server = createNodeServer(handler);
  server.listen(port, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    console.log(`concierge-proxy (${provider.name}) listening on http://localhost:${actual}${basePath}`);
  });
  const shutdown = () => server.close(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `concierge-proxy: ${error.message}` : error);
  process.exit(1);
});
