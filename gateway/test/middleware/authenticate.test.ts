import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env.ts';
import type { OidcSettings } from '../../src/auth/config.ts';
import { createServiceKey, createTokenService, type TokenService } from '../../src/auth/tokens.ts';
import { loadSettings } from '../../src/config.ts';
import { errorProblem } from '../../src/middleware/errors.ts';
import { apiAuth, joinAuth, requiredScope } from '../../src/middleware/authenticate.ts';
import { createLogger } from '../../src/logger.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';

function mount(a: Hono<AppEnv>) {
  a.get('/v1/config', (c) => c.json({ user: c.get('user') ?? null, client: c.get('client') }));
  a.get('/v1/rooms', (c) => c.json({ user: c.get('user'), client: c.get('client') }));
  a.post('/v1/rooms', (c) => c.json({ user: c.get('user') }, 201));
  a.get('/j/:code', (c) => c.json({ user: c.get('user') ?? null }));
  a.onError(errorProblem(createLogger('silent')));
  return a;
}

describe('authentication middleware, local mode', () => {
  const settings = loadSettings({ VISIO_LOCAL_USER_EMAIL: 'Agent@Example.gouv.fr', VISIO_LOCAL_USER_NAME: 'Agent' });
  const app = mount(new Hono<AppEnv>().use('/v1/*', apiAuth(settings.auth, undefined)).use('/j/*', joinAuth(settings.auth, undefined, undefined)));

  it('acts as the configured agent on /v1 (not on the public configuration) and on join links', async () => {
    const rooms = await (await app.request('/v1/rooms', { headers: { 'x-visio-client': 'outlook' } })).json();
    expect(rooms).toEqual({ user: { sub: 'local:agent@example.gouv.fr', email: 'Agent@Example.gouv.fr', name: 'Agent' }, client: 'outlook' });
    expect(await (await app.request('/v1/config')).json()).toEqual({ user: null, client: 'unknown' });
    expect((await (await app.request('/j/abc-defg-hij')).json()).user.sub).toBe('local:agent@example.gouv.fr');
  });

  it('records an unknown client for a malformed X-Visio-Client', async () => {
    for (const client of ['Outlook', 'a'.repeat(33), 'x y']) {
      expect((await (await app.request('/v1/rooms', { headers: { 'x-visio-client': client } })).json()).client).toBe('unknown');
    }
  });
});

describe('authentication middleware, sign-in mode', () => {
  let dir: string;
  let store: Store;
  let tokens: TokenService;
  let app: Hono<AppEnv>;
  let token: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'visio-mw-auth-'));
    const settings = loadSettings({ VISIO_DATA_DIR: dir, OIDC_ISSUER: 'https://op.example', OIDC_CLIENT_ID: 'visio-gateway', OIDC_CLIENT_SECRET: 'secret-0123456789abcdef', HOST: '127.0.0.1' });
    store = await openSqliteStore(dir);
    tokens = createTokenService(settings.auth as OidcSettings, 'http://127.0.0.1:8787', Buffer.alloc(48, 7), store);
    token = (await tokens.startSession({ sub: 'alice', email: 'alice@example.gouv.fr' }, 'outlook-addin')).tokens.access_token;
    app = mount(new Hono<AppEnv>().use('/v1/*', apiAuth(settings.auth, tokens)).use('/j/*', joinAuth(settings.auth, tokens, undefined)));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs a valid bearer token everywhere on /v1 but the public configuration', async () => {
    expect((await app.request('/v1/config')).status).toBe(200);
    for (const authorization of [undefined, 'Basic YTpi', 'Bearer not-a-token', `Bearer ${token}x`]) {
      const response = await app.request('/v1/rooms', { headers: authorization ? { authorization } : {} });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    const ok = await app.request('/v1/rooms', { headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toMatchObject({ user: { sub: 'alice' }, client: 'outlook-addin' });
  });

  it('refuses a key without the scope the route needs (403, insufficient_scope)', async () => {
    const readOnly = await createServiceKey(store, 'reader', ['rooms:read']);
    const auth = { authorization: `Bearer ${readOnly.value}` };
    expect((await app.request('/v1/rooms', { headers: auth })).status).toBe(200);
    const refused = await app.request('/v1/rooms', { method: 'POST', headers: auth });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="rooms:write"');
  });

  it('on join links, a bearer token when one is sent', async () => {
    expect((await (await app.request('/j/abc-defg-hij', { headers: { authorization: `Bearer ${token}` } })).json()).user.sub).toBe('alice');
    expect((await app.request('/j/abc-defg-hij', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it("checks a token's lifetime on every call, also once its signature is known good", async () => {
    let clock = Date.now();
    const settings = loadSettings({ VISIO_DATA_DIR: dir, OIDC_ISSUER: 'https://op.example', OIDC_CLIENT_ID: 'visio-gateway', OIDC_CLIENT_SECRET: 'secret-0123456789abcdef' });
    const timed = createTokenService(settings.auth as OidcSettings, 'http://127.0.0.1:8787', Buffer.alloc(48, 9), store, () => clock);
    const bearer = (await timed.startSession({ sub: 'dave', email: 'dave@example.gouv.fr' }, 'outlook-addin')).tokens.access_token;
    expect((await timed.authenticate(bearer)).user.sub).toBe('dave');
    expect((await timed.authenticate(bearer)).user.sub).toBe('dave');
    clock += ((settings.auth as OidcSettings).accessTokenTtl + 1) * 1000;
    await expect(timed.authenticate(bearer)).rejects.toThrow('the access token has expired');
    // The same token signed with another secret is refused, whatever this service verified before.
    await expect(tokens.authenticate(bearer)).rejects.toThrow('not valid here');
  });

  it('maps methods and paths to scopes', () => {
    expect(requiredScope('GET', '/v1/rooms')).toBe('rooms:read');
    expect(requiredScope('HEAD', '/v1/rooms')).toBe('rooms:read');
    expect(requiredScope('POST', '/v1/rooms')).toBe('rooms:write');
    expect(requiredScope('DELETE', '/v1/rooms/abc-defg-hij')).toBe('rooms:write');
    expect(requiredScope('GET', '/v1/audit')).toBe('audit:read');
    expect(requiredScope('GET', '/v1/auditx')).toBe('rooms:read');
  });
});
