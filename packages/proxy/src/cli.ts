import { parseArgs } from 'node:util';
import { ConfigError, configFromEnv, providerFromConfig } from './config';
import { createConciergeHandler } from './handler';
import { createNodeServer } from './node';

const USAGE = `Usage: concierge-proxy [--port N] [--provider NAME] [--kb-dir DIR] [--base-path PATH]

  --port       PORT                 port to listen on (default 8787)
  --provider   CONCIERGE_PROVIDER   answering backend (default local)
  --kb-dir     CONCIERGE_KB_DIR     knowledge base folder for the local provider (default ./knowledge-base)
  --base-path                       path the routes live under (default /api/concierge)
Flags win over environment variables.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      provider: { type: 'string' },
      'kb-dir': { type: 'string' },
      'base-path': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const env = configFromEnv();
  const portText = values.port ?? process.env.PORT ?? '8787';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(values.port ? '--port' : 'PORT', `"${portText}" is not a port number.`);
  }
  const provider = await providerFromConfig({
    provider: values.provider ?? env.provider,
    kbDir: values['kb-dir'] ?? env.kbDir,
  });
  const basePath = values['base-path'] ?? '/api/concierge';
  const server = createNodeServer(createConciergeHandler({ provider, basePath }));
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
