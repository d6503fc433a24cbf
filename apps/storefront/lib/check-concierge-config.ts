import { ConfigError, environment, resolveConfig } from '@concierge/proxy';

try {
  resolveConfig({ CONCIERGE_KB_DIR: 'content', ...environment() });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Concierge cannot start. ${error.message}`);
  process.exit(1);
}
