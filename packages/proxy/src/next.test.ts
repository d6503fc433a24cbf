import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNextRouteHandlers } from './next';

const KB_DIR = fileURLToPath(new URL('../fixtures/knowledge-base', import.meta.url));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createNextRouteHandlers', () => {
  it('exports route handlers that answer on the default base path', async () => {
    const { POST, GET } = createNextRouteHandlers({ kbDir: KB_DIR });
    const response = await POST(
      new Request('http://shop.example/api/concierge/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'How long do refunds take?', stream: false }),
      }),
    );
    const reply = (await response.json()) as { text: string; threadId: string; threadToken: string };
    expect(reply.text).toContain('5 business days');
    const owner = { headers: { 'concierge-thread-token': reply.threadToken } };
    const history = await GET(new Request(`http://shop.example/api/concierge/threads/${reply.threadId}`, owner));
    expect(history.status).toBe(200);
  });

  it('lets CONCIERGE_KB_DIR replace the folder given in code, and a missing folder fails when the route loads (next build), not per request', () => {
    vi.stubEnv('CONCIERGE_KB_DIR', '/does/not/exist');
    expect(() => createNextRouteHandlers({ kbDir: KB_DIR })).toThrow('CONCIERGE_KB_DIR: the knowledge base folder /does/not/exist does not exist.');
    vi.stubEnv('CONCIERGE_KB_DIR', KB_DIR);
    expect(() => createNextRouteHandlers({ kbDir: '/does/not/exist' })).not.toThrow();
  });
});
