import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env.ts';
import { createLogger } from '../../src/logger.ts';
import { accessLog } from '../../src/middleware/access-log.ts';
import { requestId } from '../../src/middleware/request-id.ts';

describe('access log middleware', () => {
  it('writes one line per request: id, method, path without query, status, time, client', async () => {
    const lines: string[] = [];
    const app = new Hono<AppEnv>().use(requestId()).use(accessLog(createLogger('info', (l) => lines.push(l)))!);
    app.get('/v1/rooms', (c) => {
      c.set('client', 'outlook');
      return c.json([], 200);
    });
    const response = await app.request('/v1/rooms?cursor=secret-cursor');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'GET', path: '/v1/rooms', status: 200, client: 'outlook', requestId: response.headers.get('x-request-id') });
    expect(typeof line.ms).toBe('number');
    expect(lines[0]).not.toContain('secret-cursor');
  });

  it('is not mounted at all when info lines are not written', () => {
    expect(accessLog(createLogger('warn', () => {}))).toBeUndefined();
    expect(accessLog(createLogger('silent', () => {}))).toBeUndefined();
    expect(accessLog(createLogger('debug', () => {}))).toBeTypeOf('function');
  });
});
