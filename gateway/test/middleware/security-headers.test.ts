import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CSP, pagePolicy, SECURITY_HEADERS, securityHeaders } from '../../src/middleware/security-headers.ts';

const PAGE_CSP = "default-src 'none'; script-src 'self'; frame-ancestors 'none'";
const FRAMED_CSP = "default-src 'none'; frame-ancestors https://outlook.office.com";

function app() {
  const a = new Hono().use(securityHeaders());
  a.get('/json', (c) => c.json({ ok: true }));
  a.get('/page', (c) => {
    pagePolicy(c, PAGE_CSP);
    return c.html('<p>page</p>');
  });
  a.get('/framed', (c) => {
    pagePolicy(c, FRAMED_CSP);
    return c.html('<p>add-in</p>');
  });
  a.get('/fails', () => {
    throw new Error('boom');
  });
  a.onError((_e, c) => c.json({ failed: true }, 500));
  return a;
}

// The same app served by Node (the headers then go on Node's response) and through app.request() (c.header()).
let served: ReturnType<typeof serve>;
let origin: string;
beforeAll(async () => {
  served = await new Promise((resolve) => {
    const s = serve({ fetch: app().fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  origin = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => served.close(() => resolve())));

const ways = [
  ['app.request()', (path: string) => app().request(path)],
  ['a Node server', (path: string) => fetch(`${origin}${path}`)],
] as const;

describe.each(ways)('security headers middleware, through %s', (_way, request) => {
  it('gives JSON the API policy and every security header, errors included', async () => {
    for (const path of ['/json', '/fails']) {
      const response = await request(path);
      for (const [name, value] of SECURITY_HEADERS) expect(response.headers.get(name), name).toBe(value);
      expect(response.headers.get('content-security-policy')).toBe(API_CSP);
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('lets a page set its own policy, and drops X-Frame-Options only when the policy names who may frame it', async () => {
    const page = await request('/page');
    expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const framed = await request('/framed');
    expect(framed.headers.get('content-security-policy')).toBe(FRAMED_CSP);
    expect(framed.headers.get('x-frame-options')).toBeNull();
    expect(framed.headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });
});
