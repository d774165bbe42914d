/**
 * CORS for an allowlist of origins, with the grant computed at start-up. A request without Origin, or
 * from an origin not listed, gets no CORS header at all (not even the allowed methods and headers);
 * Vary: Origin comes with the security headers.
 */
import type { MiddlewareHandler } from 'hono';
import { REQUEST_HEADERS, REQUEST_ID_HEADER } from '@visio/shared/wire';

export const CORS_ALLOW_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];
/** Exactly the headers the clients send (`@visio/shared/wire`), no more. */
export const CORS_ALLOW_HEADERS: readonly string[] = REQUEST_HEADERS;
export const CORS_EXPOSE_HEADERS = ['content-disposition', 'location', REQUEST_ID_HEADER, 'ratelimit', 'ratelimit-policy', 'retry-after'];
const MAX_AGE_SECONDS = 600;

export function cors(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins);
  const expose = CORS_EXPOSE_HEADERS.join(',');
  const preflight: [string, string][] = [
    ['access-control-max-age', String(MAX_AGE_SECONDS)],
    ['access-control-allow-methods', CORS_ALLOW_METHODS.join(',')],
    ['access-control-allow-headers', CORS_ALLOW_HEADERS.join(',')],
    ['vary', 'Origin, Access-Control-Request-Headers'],
  ];
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (!origin) return next();
    if (!allowed.has(origin)) {
      // A refused preflight: answered here, without grant, so no route runs for it.
      if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) return c.body(null, 204);
      return next();
    }
    c.header('access-control-allow-origin', origin);
    c.header('access-control-expose-headers', expose);
    if (c.req.method === 'OPTIONS') {
      for (const [name, value] of preflight) c.header(name, value);
      return c.body(null, 204);
    }
    return next();
  };
}
