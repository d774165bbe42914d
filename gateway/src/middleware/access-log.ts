/** One log line per request: path without query string (it may carry codes or tokens). */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { Logger } from '../logger.js';

/** Undefined when the logger drops info lines: then nothing is measured or built per request. */
export function accessLog(log: Logger): MiddlewareHandler<AppEnv> | undefined {
  if (!log.enabled('info')) return undefined;
  return async (c, next) => {
    const started = performance.now();
    await next();
    log.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      client: c.get('client'),
    });
  };
}
