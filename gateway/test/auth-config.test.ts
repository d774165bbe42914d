import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../src/config.ts';

const OIDC = { OIDC_ISSUER: 'https://identite.proconnect.gouv.fr/api/v2', OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' };

describe('sign-in configuration', () => {
  it('stays in local single-user mode without an issuer', () => {
    expect(loadSettings({}).auth.mode).toBe('local');
  });

  it('switches local mode off with an issuer, and then allows a public address', () => {
    const settings = loadSettings({ ...OIDC, HOST: '0.0.0.0', VISIO_PUBLIC_URL: 'https://visio-gateway.example.gouv.fr/' });
    expect(settings.auth).toMatchObject({
      mode: 'oidc',
      issuer: 'https://identite.proconnect.gouv.fr/api/v2',
      scopes: 'openid email profile',
      callbackUrl: 'https://visio-gateway.example.gouv.fr/auth/callback',
    });
    if (settings.auth.mode !== 'oidc') throw new Error('unreachable');
    expect([...settings.auth.clients]).toEqual([['web', ['https://visio-gateway.example.gouv.fr/']]]);
    expect(settings.auth.joinSessionTtl).toBe(8 * 3600);
  });

  it.each([
    [{ OIDC_ISSUER: OIDC.OIDC_ISSUER }, /OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set/],
    [{ ...OIDC, OIDC_ISSUER: 'http://idp.example.gouv.fr' }, /OIDC_ISSUER: must be https/],
    [{ ...OIDC, OIDC_SCOPES: 'email profile' }, /OIDC_SCOPES must include openid/],
    [{ ...OIDC, VISIO_CLIENTS: '{not json' }, /VISIO_CLIENTS: must be JSON/],
    [{ ...OIDC, VISIO_CLIENTS: '{"outlook":["https://EXAMPLE.gouv.fr/cb"]}' }, /VISIO_CLIENTS\.outlook\.0/],
    [{ ...OIDC, VISIO_CLIENTS: '{"outlook":["https://example.gouv.fr/cb#x"]}' }, /without fragment/],
    [{ ...OIDC, VISIO_CLIENTS: '{"outlook":["http://example.gouv.fr/cb"]}' }, /http only on loopback/],
    [{ ...OIDC, VISIO_CLIENTS: '{"web":["https://example.gouv.fr/"]}' }, /reserved/],
    [{ ...OIDC, VISIO_CLIENTS: '{"Outlook!":["https://example.gouv.fr/"]}' }, /client ids/],
    [{ ...OIDC, VISIO_TOKEN_SECRET: 'short' }, /VISIO_TOKEN_SECRET/],
    [{ ...OIDC, ACCESS_TOKEN_TTL: '86400' }, /ACCESS_TOKEN_TTL/],
    [{ ...OIDC, JOIN_SESSION_TTL: '10' }, /JOIN_SESSION_TTL/],
    [{ ...OIDC, JOIN_SESSION_TTL: '31536000' }, /JOIN_SESSION_TTL/],
    [{ ...OIDC, RATE_LIMIT_ROOMS_PER_USER: '-1' }, /RATE_LIMIT_ROOMS_PER_USER/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadSettings(env)).toThrow(ConfigError);
    expect(() => loadSettings(env)).toThrow(message);
  });

  it('accepts the WebExtension, Firefox/Thunderbird and add-in redirect URIs', () => {
    const clients = {
      browser: ['https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/', 'https://0123456789abcdef0123456789abcdef01234567.extensions.allizom.org/'],
      outlook: ['https://visio-gateway.example.gouv.fr/addins/outlook/auth-callback.html'],
    };
    const settings = loadSettings({ ...OIDC, VISIO_CLIENTS: JSON.stringify(clients) });
    if (settings.auth.mode !== 'oidc') throw new Error('unreachable');
    expect(settings.auth.clients.get('browser')).toEqual(clients.browser);
  });
});

describe('local mode', () => {
  it('answers a sign-in attempt with a page saying no sign-in is needed, and keeps /v1 open to the local agent', async () => {
    const { startTestGateway } = await import('./harness.ts');
    const gw = await startTestGateway();
    const page = await gw.fetch('/auth/login?client_id=x&lang=en');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('No sign-in needed');
    expect((await gw.json('/v1/me')).body).toEqual({ sub: 'local:agent@localhost.localdomain', email: 'agent@localhost.localdomain', name: 'Agent', kind: 'local' });
    expect((await gw.json('/v1/config')).body.auth).toEqual({ mode: 'local' });
    expect((await gw.fetch('/auth/token', { method: 'POST' })).status).toBe(404);
  });
});
