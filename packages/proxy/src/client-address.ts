/**
 * Who is asking, for rate limits: an address the client cannot choose. Adapters that see the
 * socket (Node) record its address here, out of band; `X-Forwarded-For` counts only through the
 * number of proxies in front that the operator trusts (`CONCIERGE_TRUST_PROXY`).
 */
const socketAddresses = new WeakMap<Request, string>();

/** Called by an adapter with the address of the socket a request came in on. */
export function recordSocketAddress(request: Request, address: string | undefined): void {
  if (address) socketAddresses.set(request, address);
}

/**
 * The client's address. With `trustedHops` proxies in front, each appending to
 * `X-Forwarded-For`, it is the entry the outermost of them added; entries to its left are the
 * client's own claims and never count. With none, it is the socket's address, or `unknown` where
 * the adapter cannot see the socket (then every client shares one quota).
 */
export function clientAddress(request: Request, trustedHops = 0): string {
  if (trustedHops > 0) {
    const chain = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const address = chain[chain.length - trustedHops] ?? chain[0];
    if (address) return address;
  }
  return socketAddresses.get(request) ?? 'unknown';
}
