import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env.ts';
import { requestId } from '../../src/middleware/request-id.ts';

const app = new Hono<AppEnv>().use(requestId()).get('/', (c) => c.json({ seen: c.get('requestId') }));

describe('request id middleware', () => {
  it('gives each request a fresh id, echoed in X-Request-Id and readable by handlers', async () => {
    const [a, b] = await Promise.all([app.request('/'), app.request('/')]);
    const id = a.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await a.json()).toEqual({ seen: id });
    expect(b.headers.get('x-request-id')).not.toBe(id);
  });

  it("keeps the caller's id when it is a safe token, replaces it otherwise", async () => {
    expect((await app.request('/', { headers: { 'x-request-id': 'trace-42=' } })).headers.get('x-request-id')).toBe('trace-42=');
    for (const bad of ['a b', '<script>', 'x'.repeat(256), 'id;drop']) {
      const id = (await app.request('/', { headers: { 'x-request-id': bad } })).headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
