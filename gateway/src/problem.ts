/** RFC 9457 problem details: the only shape errors leave the gateway in. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type Problem } from '@visio/shared/contract';

export type ProblemType = keyof typeof PROBLEM_TYPES;

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ProblemType,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Partial<Problem> & { headers?: Record<string, string> } = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

export const notFound = (detail = 'No such resource, or it is not yours.') => new ProblemError(404, 'notFound', 'Not found', detail);

export function problemResponse(c: Context, error: ProblemError): Response {
  const { headers, ...extra } = error.extra;
  const body: Problem = {
    type: PROBLEM_TYPES[error.type],
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: new URL(c.req.url).pathname,
    ...(c.get('requestId') ? { requestId: c.get('requestId') as string } : {}),
    ...extra,
  };
  // Through the context, so the headers set before the handler (security, request id) stay on the answer.
  return c.body(JSON.stringify(body), error.status, { 'content-type': PROBLEM_CONTENT_TYPE, ...headers });
}

export function validationProblem(error: z.ZodError, where: string): ProblemError {
  const errors = error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : where,
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return new ProblemError(400, 'validation', 'Invalid request', detail, { errors });
}
