const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * Returns `href` when it is an http, https or mailto link (relative links resolve to the
 * page's own origin), and `null` for anything else, such as `javascript:` or `data:`.
 */
export function safeHref(href: string | undefined | null): string | null {
  if (!href) return null;
  try {
    const base = typeof location === 'undefined' ? 'https://localhost/' : location.href;
    return SAFE_PROTOCOLS.has(new URL(href.trim(), base).protocol) ? href.trim() : null;
  } catch {
    return null;
  }
}
