/** The one error shape: every failure leaves as RFC 9457 problem+json, unexpected ones logged with the request id. */
import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env.js';
import type { Logger } from '../logger.js';
import { ProblemError, problemResponse, type ProblemType } from '../problem.js';
import { StoreUnavailableError } from '../store/store.js';

const HTTP_PROBLEMS: Record<number, [ProblemType, string]> = {
  400: ['malformedJson', 'Malformed request body'],
  413: ['payloadTooLarge', 'Request body too large'],
  415: ['unsupportedMediaType', 'Unsupported media type'],
};

export const notFoundProblem: NotFoundHandler<AppEnv> = (c) => problemResponse(c, new ProblemError(404, 'notFound', 'Not found', `No route for ${c.req.method} ${c.req.path}.`));

const STORE_DOWN = new ProblemError(503, 'unavailable', 'Service unavailable', 'The gateway cannot reach its database; nothing was changed. Retry in a moment.', { headers: { 'retry-after': '2' } });
const INTERNAL = new ProblemError(500, 'internal', 'Internal error', 'The gateway failed; the request id helps the administrator find out why.');

export function errorProblem(log: Logger): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    if (error instanceof StoreUnavailableError) {
      log.warn('store unavailable', { requestId: c.get('requestId'), path: c.req.path, error: String((error.cause as Error | undefined)?.message ?? error.message) });
      return problemResponse(c, STORE_DOWN);
    }
    if (error instanceof HTTPException) {
      const [type, title] = HTTP_PROBLEMS[error.status] ?? ['internal', 'Request refused'];
      return problemResponse(c, new ProblemError(error.status, type, title, error.message));
    }
    log.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    return problemResponse(c, INTERNAL);
  };
}
