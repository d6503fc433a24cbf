import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CANARY } from './canary';

const STOREFRONT = fileURLToPath(new URL('../apps/storefront', import.meta.url));
const NEXT_BIN = fileURLToPath(new URL('../apps/storefront/node_modules/next/dist/bin/next', import.meta.url));

/**
 * One production build of the storefront for all browser tests, made with every vendor key
 * set to a canary, so the tests can prove no key ends up in what browsers download.
 * CONCIERGE_E2E_REUSE_BUILD=1 reuses the last build while iterating.
 */
export default function setup() {
  if (process.env.CONCIERGE_E2E_REUSE_BUILD === '1') return;
  const build = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
    cwd: STOREFRONT,
    encoding: 'utf8',
    env: { ...process.env, ...CANARY },
  });
  if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
}
