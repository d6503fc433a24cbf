import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server';

const BIN = fileURLToPath(new URL('../bin/concierge-proxy.js', import.meta.url));

/** The built `concierge-proxy` bin, as deployed, on a free (or the given) port, ready to answer. */
export async function startProxyProcess(env: Record<string, string>, port?: number): Promise<{ port: number; child: ChildProcess }> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [BIN], { env: { ...process.env, ...env, PORT: String(chosen) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`concierge-proxy exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`concierge-proxy did not start:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${chosen}/api/concierge/health`).then((response) => response.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port: chosen, child };
}

/** Kills a proxy process at once (SIGKILL: no goodbye, as a crashed or replaced instance). */
export function killProxyProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
