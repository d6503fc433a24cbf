/**
 * Thread tokens: an HMAC-SHA256 of the thread id under the proxy's secret. The proxy issues one
 * with the first reply of a thread; reading or continuing the thread needs it, so a thread is
 * readable only by the browser that started it, and ids (even a vendor's numeric ones) cannot be
 * probed. Web Crypto, so it runs wherever the handler runs.
 */
export interface ThreadTokens {
  issue(threadId: string): Promise<string>;
  /** Whether `token` was issued for `threadId`, compared in constant time. */
  verify(threadId: string, token: string | null): Promise<boolean>;
}

/** At least this many characters of `CONCIERGE_SECRET`. */
export const MIN_SECRET_LENGTH = 32;

// One random key per process, shared by every handler in it (Next may build several).
let processKey: Uint8Array<ArrayBuffer> | undefined;

/** Tokens signed with `secret`; without one, a random key of this process (tokens then die with it). */
export function createThreadTokens(secret?: string): ThreadTokens {
  const raw = secret ? new TextEncoder().encode(secret) : (processKey ??= crypto.getRandomValues(new Uint8Array(32)));
  const key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  // A thread's token never changes: signed once, then remembered (the busiest threads stay).
  const issued = new Map<string, Promise<string>>();
  const issue = (threadId: string) => {
    let token = issued.get(threadId);
    if (token) {
      issued.delete(threadId);
    } else {
      token = key.then((hmac) => crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`thread:v1:${threadId}`))).then((signature) => base64url(new Uint8Array(signature)));
      // A failed signing is not remembered.
      token.catch(() => issued.delete(threadId));
    }
    issued.set(threadId, token);
    if (issued.size > 10_000) issued.delete(issued.keys().next().value!);
    return token;
  };
  return {
    issue,
    async verify(threadId, token) {
      if (!token) return false;
      const expected = await issue(threadId);
      if (token.length !== expected.length) return false;
      let difference = 0;
      for (let index = 0; index < expected.length; index++) difference |= expected.charCodeAt(index) ^ token.charCodeAt(index);
      return difference === 0;
    },
  };
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
