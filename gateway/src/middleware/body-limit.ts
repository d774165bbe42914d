/** Request bodies above the limit are refused with a problem before any route reads them. */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ProblemError, problemResponse } from '../problem.js';

export const MAX_BODY_BYTES = 64 * 1024;

export function bodyLimit(maxSize = MAX_BODY_BYTES): MiddlewareHandler {
  const tooLarge = new ProblemError(413, 'payloadTooLarge', 'Request body too large', `The limit is ${maxSize / 1024} KB.`);
  return honoBodyLimit({ maxSize, onError: (c) => problemResponse(c, tooLarge) });
}
