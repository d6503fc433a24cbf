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

  it('lets CONCIERGE_KB_DIR replace the folder given in code', async () => {
    vi.stubEnv('CONCIERGE_KB_DIR', '/does/not/exist');
    const errors: unknown[] = [];
    const { GET } = createNextRouteHandlers({ kbDir: KB_DIR, onError: (error) => errors.push(error) });
    const response = await GET(new Request('http://shop.example/api/concierge/health'));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('internal');
    expect(String(errors[0])).toContain('CONCIERGE_KB_DIR');
  });
});
