import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { cors } from '../../src/middleware/cors.ts';

const ALLOWED = 'https://calendar.example.gouv.fr';
const app = new Hono().use(cors([ALLOWED, 'chrome-extension://abcdefghijklmnopabcdefghijklmnop']));
app.post('/v1/rooms', (c) => c.json({ created: true }, 201));
app.get('/v1/config', (c) => c.json({}));
const preflight = (origin: string) => app.request('/v1/rooms', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

describe('CORS middleware', () => {
  it('grants a listed origin: preflight answered with methods, headers and max-age; requests with exposed headers', async () => {
    const ok = await preflight(ALLOWED);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE,OPTIONS');
    // What the shared client and the calendar routes send (the wire constants), each allowed by name.
    expect(ok.headers.get('access-control-allow-headers')?.split(',')).toEqual([
      'authorization',
      'content-type',
      'idempotency-key',
      'x-visio-client',
      'x-request-id',
      'x-caldav-authorization',
      'x-caldav-server',
    ]);
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    expect(ok.headers.get('vary')).toContain('Origin');
    const post = await app.request('/v1/rooms', { method: 'POST', headers: { origin: ALLOWED } });
    expect(post.status).toBe(201);
    expect(post.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(post.headers.get('access-control-expose-headers')).toContain('location');
    expect((await preflight('chrome-extension://abcdefghijklmnopabcdefghijklmnop')).headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
  });

  it('gives any other origin no CORS header at all, and runs no route for its preflight', async () => {
    for (const origin of ['https://evil.example', `${ALLOWED}.evil.example`, 'null']) {
      const refused = await preflight(origin);
      expect(refused.status).toBe(204);
      for (const [name] of refused.headers) expect(name).not.toMatch(/^access-control-/);
      const simple = await app.request('/v1/config', { headers: { origin } });
      expect(simple.status).toBe(200);
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('leaves same-origin requests (no Origin) untouched', async () => {
    const response = await app.request('/v1/config');
    expect([...response.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });
});
