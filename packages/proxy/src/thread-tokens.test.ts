import { describe, expect, it } from 'vitest';
import { createThreadTokens } from './thread-tokens';

describe('thread tokens', () => {
  const tokens = createThreadTokens('x'.repeat(40));

  it('are the same HMAC-SHA256 as before, so tokens browsers hold stay valid across versions', async () => {
    // The value the Web Crypto implementation gave for this secret and id.
    expect(tokens.sign('thread-123')).toBe('nItdRja5HeRUkgkPtV1QPK-clZ_KrX2wyQhUT0ohzzc');
    expect(await tokens.issue('thread-123')).toBe('nItdRja5HeRUkgkPtV1QPK-clZ_KrX2wyQhUT0ohzzc');
  });

  it('verify only the token of that thread under that secret', async () => {
    const token = tokens.sign('thread-1');
    expect(await tokens.verify('thread-1', token)).toBe(true);
    expect(await tokens.verify('thread-2', token)).toBe(false);
    expect(await tokens.verify('thread-1', null)).toBe(false);
    expect(await tokens.verify('thread-1', `${token}x`)).toBe(false);
    expect(await tokens.verify('thread-1', 'é'.repeat(token.length))).toBe(false);
    expect(await createThreadTokens('y'.repeat(40)).verify('thread-1', token)).toBe(false);
  });
});
