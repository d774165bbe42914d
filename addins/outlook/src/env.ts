/**
 * Where the gateway is. The gateway writes its public URL into the served bundles in place of the
 * placeholder, so the classic Outlook JavaScript-only runtime (no page, no location) gets an absolute URL.
 */
const SERVED_URL = '__VISIO_PUBLIC_URL__';

export function gatewayUrl(): string {
  if (!SERVED_URL.startsWith('__')) return SERVED_URL;
  // Files opened without the gateway's substitution (development server): same origin.
  return typeof location === 'undefined' ? '' : location.origin;
}
