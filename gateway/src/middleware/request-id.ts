/** Request ids: the caller's X-Request-Id when it is a safe token, else a fresh UUID; echoed and logged. */
import type { MiddlewareHandler } from 'hono';
import { REQUEST_ID_HEADER } from '@visio/shared/wire';
import type { AppEnv } from '../app-env.js';
import { setResponseHeader } from './node-response.js';

const SAFE_ID = /^[\w\-=]{1,255}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    const id = given && SAFE_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    setResponseHeader(c, REQUEST_ID_HEADER, id);
    await next();
  };
}
