import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { withConcierge } from './next-config';

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));

describe('withConcierge', () => {
  it('traces the knowledge base into the build output and keeps the proxy out of the server bundle, keeping the app\'s own settings', async () => {
    const config = await withConcierge(
      { output: 'standalone', serverExternalPackages: ['sharp'], outputFileTracingIncludes: { '/**': ['./data/**/*'] } },
      { kbDir: KB_DIR },
    )('phase-production-build', {});
    expect(config.output).toBe('standalone');
    expect(config.serverExternalPackages).toEqual(['sharp', '@concierge/proxy']);
    expect(config.outputFileTracingIncludes).toEqual({ '/**': ['./data/**/*', './packages/proxy/fixtures/knowledge-base/**/*'] });
  });

  it('accepts a config function and passes it the phase', async () => {
    const config = await withConcierge((phase) => ({ distDir: phase === 'phase-production-server' ? 'built' : 'other' }), { kbDir: KB_DIR })(
      'phase-production-server',
      {},
    );
    expect(config.distDir).toBe('built');
  });

  it('fails next build and next start with the message the bin gives when the knowledge base is missing or a setting is bad', async () => {
    await expect(withConcierge({}, { kbDir: '/no/such/folder' })('phase-production-build', {})).rejects.toThrow(
      'concierge: CONCIERGE_KB_DIR: the knowledge base folder /no/such/folder does not exist.',
    );
    await expect(withConcierge({}, { kbDir: KB_DIR, env: { CONCIERGE_RATE_LIMIT: 'many' } })('phase-production-server', {})).rejects.toThrow(
      /concierge: CONCIERGE_RATE_LIMIT/,
    );
  });

  it('only warns at build time about a vendor key the server alone may have, and fails the server without it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const env = { CONCIERGE_PROVIDER: 'alhena' };
      await expect(withConcierge({}, { kbDir: KB_DIR, env })('phase-production-build', {})).resolves.toBeTruthy();
      expect(warn.mock.calls[0]?.[0]).toContain('ALHENA_API_KEY');
      await expect(withConcierge({}, { kbDir: KB_DIR, env })('phase-production-server', {})).rejects.toThrow(/ALHENA_API_KEY/);
    } finally {
      warn.mockRestore();
    }
  });
});
