import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env.ts';
import { createLogger } from '../../src/logger.ts';
import { errorProblem, notFoundProblem } from '../../src/middleware/errors.ts';
import { requestId } from '../../src/middleware/request-id.ts';
import { ProblemError } from '../../src/problem.ts';
import { StoreUnavailableError } from '../../src/store/store.ts';

function app() {
  const lines: string[] = [];
  const a = new Hono<AppEnv>().use(requestId());
  a.get('/problem', () => {
    throw new ProblemError(409, 'conflict', 'Request in progress', 'Retry.', { headers: { 'retry-after': '2' } });
  });
  a.get('/store', () => {
    throw new StoreUnavailableError(new Error('connection refused, password=hunter2'));
  });
  a.get('/http', () => {
    throw new HTTPException(415, { message: 'Unsupported Media Type' });
  });
  a.get('/bug', () => {
    throw new TypeError('undefined is not a function');
  });
  a.notFound(notFoundProblem);
  a.onError(errorProblem(createLogger('debug', (l) => lines.push(l))));
  return { a, lines };
}

describe('error middleware', () => {
  it('answers every failure as problem+json carrying the request id', async () => {
    const { a } = app();
    const cases: [string, number, string][] = [
      ['/problem', 409, 'conflict'],
      ['/store', 503, 'unavailable'],
      ['/http', 415, 'unsupported-media-type'],
      ['/bug', 500, 'internal'],
      ['/nowhere', 404, 'not-found'],
    ];
    for (const [path, status, type] of cases) {
      const response = await a.request(path);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const body = await response.json();
      expect(body).toMatchObject({ status, instance: path, requestId: response.headers.get('x-request-id') });
      expect(body.type).toContain(type);
    }
  });

  it('keeps the headers a problem names; logs unexpected errors with the request id, never the cause text to the caller', async () => {
    const { a, lines } = app();
    expect((await a.request('/problem')).headers.get('retry-after')).toBe('2');
    const bug = await a.request('/bug');
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', requestId: bug.headers.get('x-request-id'), path: '/bug' });
    expect(JSON.stringify(await bug.json())).not.toContain('undefined is not a function');
    expect(JSON.stringify(await (await a.request('/store')).json())).not.toContain('hunter2');
  });
});
