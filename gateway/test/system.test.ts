import { ConfigSchema } from '@visio/shared/contract';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../src/config.ts';
import { startTestGateway } from './harness.ts';

describe('system routes and HTTP hygiene', () => {
  it('answers healthz and readyz', async () => {
    const gw = await startTestGateway();
    expect((await gw.json('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await gw.json('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { store: 'ok', provider: 'ok' } });
  });

  it('serves /v1/config without sign-in', async () => {
    const gw = await startTestGateway({ VISIO_INSTANCE_NAME: 'Visio Intérieur' });
    const { status, body } = await gw.json('/v1/config');
    expect(status).toBe(200);
    const config = ConfigSchema.parse(body);
    expect(config).toMatchObject({
      instanceName: 'Visio Intérieur',
      instanceUrl: 'https://visio.numerique.gouv.fr',
      provider: 'standalone',
      telephony: { enabled: false },
      languages: ['fr', 'en'],
      defaultLanguage: 'fr',
      auth: { mode: 'local' },
    });
  });

  it('serves an OpenAPI document generated from the validation schemas', async () => {
    const gw = await startTestGateway();
    const { body } = await gw.json('/openapi.json');
    expect(body.openapi).toBe('3.1.0');
    for (const path of ['/v1/rooms', '/v1/rooms/{code}', '/v1/rooms/{code}/invitation', '/v1/ics', '/v1/config', '/healthz', '/readyz']) {
      expect(Object.keys(body.paths)).toContain(path);
    }
    const create = body.components.schemas.CreateRoomRequest;
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.accessLevel.enum).toEqual(['public', 'trusted', 'restricted']);
    expect(body.paths['/v1/rooms'].post.responses['400'].content['application/problem+json']).toBeTruthy();
  });

  it('sets security headers and a request id', async () => {
    const gw = await startTestGateway();
    const response = await gw.fetch('/v1/config');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
  });

  it('serves its page under a strict CSP of its own (same-origin script and style, nothing inline)', async () => {
    const gw = await startTestGateway();
    const csp = (await gw.fetch('/')).headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect((await gw.fetch('/v1/config')).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  });

  it('gives CORS headers to allowlisted origins only', async () => {
    const gw = await startTestGateway({ CORS_ORIGINS: 'https://calendar.example.gouv.fr,chrome-extension://abcdefghijklmnopabcdefghijklmnop' });
    const preflight = (origin: string) =>
      gw.fetch('/v1/rooms', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' } });
    const ok = await preflight('https://calendar.example.gouv.fr');
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://calendar.example.gouv.fr');
    expect(ok.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    expect((await preflight('chrome-extension://abcdefghijklmnopabcdefghijklmnop')).headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    for (const origin of ['https://evil.example', 'https://calendar.example.gouv.fr.evil.example', 'null']) {
      const refused = await preflight(origin);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await gw.fetch('/v1/config', { headers: { origin } });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('logs one structured line per request, path without query string', async () => {
    const gw = await startTestGateway();
    const cursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'sec-retc-ode'])).toString('base64url');
    await gw.fetch(`/v1/rooms?cursor=${cursor}`, { headers: { 'x-visio-client': 'outlook' } });
    const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.path === '/v1/rooms');
    expect(line).toMatchObject({ level: 'info', method: 'GET', status: 200, client: 'outlook' });
    expect(gw.logs.join('\n')).not.toContain(cursor);
  });
});

describe('configuration', () => {
  it('is final before anything reads it: the public URL of a PORT=0 gateway is where it listens, and the settings are frozen', async () => {
    const gw = await startTestGateway();
    expect(gw.settings.publicUrl).toBe(gw.url);
    expect(gw.settings.port).toBe(Number(new URL(gw.url).port));
    expect(Object.isFrozen(gw.settings)).toBe(true);
    expect(Object.isFrozen(gw.settings.caldav)).toBe(true);
    expect(() => Object.assign(gw.settings, { publicUrl: 'https://elsewhere.example' })).toThrow(TypeError);
    // The Outlook manifest is built from the public URL: it names the listening address.
    expect(await (await gw.fetch('/outlook/manifest.xml')).text()).toContain(`${gw.url}/outlook/`);
  });

  it('uses the documented defaults', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({ port: 8787, host: '127.0.0.1', instanceUrl: 'https://visio.numerique.gouv.fr', provider: 'standalone', auth: { mode: 'local' } });
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'visio.example.gouv.fr'])('refuses to listen on %s in local single-user mode', (HOST) => {
    expect(() => loadSettings({ HOST })).toThrow(ConfigError);
    expect(() => loadSettings({ HOST })).toThrow(/loopback/);
  });

  it.each(['127.0.0.1', '::1', 'localhost', '127.0.0.2'])('accepts loopback %s', (HOST) => {
    expect(loadSettings({ HOST }).host).toBe(HOST);
  });

  it('names every invalid variable', () => {
    try {
      loadSettings({ PORT: 'eighty', VISIO_PROVIDER: 'zoom', CORS_ORIGINS: 'https://ok.example,https://bad.example/path', VISIO_INSTANCE_URL: 'javascript:alert(1)' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ['PORT', 'VISIO_PROVIDER', 'CORS_ORIGINS', 'VISIO_INSTANCE_URL']) expect(message).toContain(name);
    }
  });
});
