import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the built bin, as `npx concierge-proxy` would; `pnpm build` runs before the tests.
const BIN = fileURLToPath(new URL('../bin/concierge-proxy.js', import.meta.url));
const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const url = /listening on (\S+)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    void exited.then(() => reject(new Error(output)));
  });
  // Tests of failed start-ups only await `exited`.
  listening.catch(() => {});
  return { child, exited, listening, output: () => output };
}

describe('concierge-proxy', () => {
  it('serves the local provider on the port and folder from the environment', async () => {
    const proxy = run([], { PORT: '0', CONCIERGE_KB_DIR: KB_DIR });
    try {
      const url = await proxy.listening;
      expect(url).toMatch(/^http:\/\/localhost:\d+\/api\/concierge$/);
      const response = await fetch(`${url}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Is the skillet dishwasher safe?', stream: false }),
      });
      expect(((await response.json()) as { text: string }).text).toContain('Not dishwasher safe');
    } finally {
      proxy.child.kill();
    }
  });

  it('lets flags win over environment variables', async () => {
    const proxy = run(['--port', '0', '--kb-dir', KB_DIR, '--base-path', '/chat'], {
      PORT: 'not-a-port',
      CONCIERGE_KB_DIR: '/does/not/exist',
    });
    try {
      expect(await proxy.listening).toMatch(/\/chat$/);
    } finally {
      proxy.child.kill();
    }
  });

  it.each([
    [{ CONCIERGE_PROVIDER: 'acme', CONCIERGE_KB_DIR: KB_DIR }, /CONCIERGE_PROVIDER: "acme" is not a provider/],
    [{ CONCIERGE_KB_DIR: '/does/not/exist' }, /CONCIERGE_KB_DIR: the knowledge base folder \/does\/not\/exist does not exist/],
    [{ PORT: 'eighty', CONCIERGE_KB_DIR: KB_DIR }, /PORT: "eighty" is not a port number/],
    [{ CONCIERGE_PROVIDER: 'alhena' }, /ALHENA_API_KEY: is required for CONCIERGE_PROVIDER=alhena/],
    [{ CONCIERGE_PROVIDER: 'hania', HANIA_API_KEY: 'k', HANIA_BOT_ID: 'not-a-uuid' }, /HANIA_BOT_ID: "not-a-uuid" is not a uuid/],
  ])('fails at start-up naming the bad variable (%#)', async (env, message) => {
    const proxy = run([], env);
    expect(await proxy.exited).toBe(1);
    expect(proxy.output()).toMatch(message);
  });
});
