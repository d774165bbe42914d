/**
 * Security headers, fixed at start-up: one list per response kind, written before the handler runs (so
 * nothing rewrites a finished response), on Node's response when there is one (node-response.ts). JSON and
 * files get the API policy; a page replaces it with its own through `pagePolicy`. Values are those of
 * Hono's secureHeaders defaults, with CORP same-site.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { removeResponseHeader, setResponseHeaders } from './node-response.js';

/** JSON and files may load and frame nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-site'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
  ['content-security-policy', API_CSP],
  // Answers differ by Origin (CORS): caches must keep them apart.
  ['vary', 'Origin'],
];

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    setResponseHeaders(c, SECURITY_HEADERS);
    await next();
  };
}

// A policy naming who may frame the page (the Outlook add-in) is the only framing rule: X-Frame-Options
// would forbid what it allows.
const NAMES_FRAMERS = /frame-ancestors (?!'none')/;

/** A page's own policy in place of the API one. */
export function pagePolicy(c: Context, csp: string): void {
  c.header('content-security-policy', csp);
  if (NAMES_FRAMERS.test(csp)) removeResponseHeader(c, 'x-frame-options');
}
