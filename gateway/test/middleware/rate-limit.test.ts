import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env.ts';
import { createRateLimiter } from '../../src/auth/rate-limit.ts';
import { createLogger } from '../../src/logger.ts';
import { errorProblem } from '../../src/middleware/errors.ts';
import { roomCreationLimit } from '../../src/middleware/rate-limit.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';

const limits = (roomsPerUser: number, roomsPerAddress: number) => ({
  rateLimits: { windowSeconds: 600, roomsPerUser, roomsPerAddress, signInPerUser: 0, signInPerAddress: 0 },
  trustProxyHops: 1,
});

describe('room creation rate limit middleware', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'visio-mw-limit-'));
    store = await openSqliteStore(dir);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function app(perUser: number, perAddress: number) {
    const guard = roomCreationLimit(createRateLimiter(store, 600), limits(perUser, perAddress))!;
    const a = new Hono<AppEnv>();
    a.use(async (c, next) => {
      c.set('user', { sub: c.req.header('x-user') ?? 'alice', email: 'a@example.gouv.fr' });
      await next();
    });
    // Attached to the route it guards: the other routes are not counted.
    a.post('/v1/rooms', guard, (c) => c.json({ created: true }, 201));
    a.get('/v1/rooms', (c) => c.json([]));
    a.onError(errorProblem(createLogger('silent')));
    return a;
  }

  it('counts each agent and answers 429 with RateLimit, RateLimit-Policy and Retry-After past the limit', async () => {
    const a = app(2, 0);
    const post = (user: string) => a.request('/v1/rooms', { method: 'POST', headers: { 'x-user': user } });
    const first = await post('bob');
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit-policy')).toBe('"rooms-user";q=2;w=600');
    expect(first.headers.get('ratelimit')).toMatch(/^"rooms-user";r=1;t=\d+$/);
    expect((await post('bob')).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await a.request('/v1/rooms', { headers: { 'x-user': 'bob' } })).status).toBe(200);
    const limited = await post('bob');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post('carol')).status).toBe(201);
  });

  it('counts each address (X-Forwarded-For behind the trusted proxy)', async () => {
    const a = app(0, 1);
    const post = (address: string) => a.request('/v1/rooms', { method: 'POST', headers: { 'x-user': `u-${Math.random()}`, 'x-forwarded-for': address } });
    expect((await post('192.0.2.7')).status).toBe(201);
    const limited = await post('192.0.2.7');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toBe('"rooms-address";q=1;w=600');
    expect((await post('192.0.2.8')).status).toBe(201);
  });

  it('is not mounted when both limits are off', () => {
    expect(roomCreationLimit(createRateLimiter(store, 600), limits(0, 0))).toBeUndefined();
  });
});
