/** Route definitions share one error answer shape and one validation hook. */
import { OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from '@visio/shared/contract';
import type { AppEnv } from './app-env.js';
import { validationProblem } from './problem.js';

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error, result.target);
    },
  });
}

/**
 * Documents a route that is not a validated JSON route (a page, a file, a redirect, a webhook read raw), so
 * /openapi.json lists every route the gateway serves (test/openapi.test.ts fails otherwise).
 */
export function documentRoute(app: OpenAPIHono<AppEnv>, route: RouteConfig): void {
  app.openAPIRegistry.registerPath(route);
}

/** A response whose body is not JSON (HTML, XML, JavaScript, images…). */
export const fileResponse = (description: string, type: string) => ({ description, content: { [type]: { schema: z.string() } } });

export const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } };
export const problemResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: problemContent }]));

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (problem+json lists each field)',
  401: 'Not signed in',
  403: 'Refused: Visio has no account for you, or does not let this gateway act for your organisation',
  404: 'Not found, or not yours',
  409: 'An identical request is still in progress',
  413: 'Body larger than 64 KB',
  415: 'Body is not JSON',
  422: 'Idempotency key reused with another body',
  429: 'Too many requests',
  502: 'The room provider failed',
  503: 'The room provider or the store is unavailable',
  504: 'The room provider did not answer in time',
};
