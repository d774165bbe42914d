/**
 * An address a client may send the agent's requests to (the gateway, the Visio instance, a CalDAV server):
 * https, or http on loopback only (a gateway in local mode); no credentials, query or fragment.
 * Returns origin + path without trailing slash, or null when the value is not acceptable.
 */
export function normalizeServiceUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
