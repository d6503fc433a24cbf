import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Thread tokens: an HMAC-SHA256 of the thread id under the proxy's secret. The proxy issues one
 * with the first reply of a thread; reading or continuing the thread needs it, so a thread is
 * readable only by the browser that started it, and ids (even a vendor's numeric ones) cannot be
 * probed. Signed with Node's crypto, synchronously: Web Crypto's `subtle.sign` hands every
 * signature to a worker thread, a tenth of the proxy's CPU when every reply starts a thread.
 */
export interface ThreadTokens {
  issue(threadId: string): Promise<string>;
  /** The token of `threadId`, at once. */
  sign(threadId: string): string;
  /** Whether `token` was issued for `threadId`, compared in constant time. */
  verify(threadId: string, token: string | null): Promise<boolean>;
}

/** At least this many characters of `CONCIERGE_SECRET`. */
export const MIN_SECRET_LENGTH = 32;

// One random key per process, shared by every handler in it (Next may build several).
let processKey: Buffer | undefined;

/** Tokens signed with `secret`; without one, a random key of this process (tokens then die with it). */
export function createThreadTokens(secret?: string): ThreadTokens {
  const key = secret ? Buffer.from(secret, 'utf8') : (processKey ??= randomBytes(32));
  const sign = (threadId: string) => createHmac('sha256', key).update(`thread:v1:${threadId}`).digest('base64url');
  return {
    sign,
    issue: async (threadId) => sign(threadId),
    async verify(threadId, token) {
      if (!token) return false;
      const expected = Buffer.from(sign(threadId));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
