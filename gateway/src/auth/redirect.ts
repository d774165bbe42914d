/** Redirect URIs: exact string match against the registered list, nothing else (no open redirect). */

export function isLoopbackUrl(u: URL): boolean {
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The registered URI when `redirectUri` is exactly one of `clientId`'s, else null. No normalisation:
 * case, percent-encoding, trailing dots or slashes, user-info and suffix tricks all fail the comparison.
 */
export function registeredRedirect(clients: ReadonlyMap<string, readonly string[]>, clientId: string | undefined, redirectUri: string | undefined): string | null {
  if (!clientId || !redirectUri) return null;
  const uris = clients.get(clientId);
  return uris?.find((u) => u === redirectUri) ?? null;
}

/** `base` with OAuth response parameters added to its query (the registered URI may carry one). */
export function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}
