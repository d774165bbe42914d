import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestUserAgent } from '@visio/testing/oidc-provider';
import { beginSignIn, createSignInSession, memoryTokenStorage, readRedirect, SignInError } from '@visio/shared/sign-in';
import { createVisioClient } from '@visio/shared/client';
import { ConfigSchema, ProblemSchema } from '@visio/shared/contract';
import { GATEWAY_CLIENT_SECRET, leaks, OTHER_CLIENT, startSignInGateway, TEST_CLIENT, type SignInGateway } from './auth-harness.ts';

let gw: SignInGateway;
beforeAll(async () => {
  gw = await startSignInGateway({ CORS_ORIGINS: 'https://calendar.example.gouv.fr' });
});

describe('sign-in through a real OpenID provider (ProConnect-like: names and email from a signed userinfo)', () => {
  it('signs alice in, creates a room as alice; bob can neither read nor delete it (404)', async () => {
    const alice = await gw.signIn('alice');
    expect(alice).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    const asAlice = gw.as(alice.access_token);
    expect((await asAlice('/v1/me')).body).toEqual({ sub: 'alice', email: 'alice.martin@example.gouv.fr', name: 'Alice Martin', kind: 'agent' });
    const created = await asAlice('/v1/rooms', { method: 'POST', body: { title: 'Point hebdo' } });
    expect(created.status).toBe(201);

    const asBob = gw.as((await gw.signIn('bob')).access_token);
    expect((await asBob('/v1/me')).body.email).toBe('bob.durand@example.gouv.fr');
    expect((await asBob(`/v1/rooms/${created.body.code}`)).status).toBe(404);
    expect((await asBob(`/v1/rooms/${created.body.code}/invitation`)).status).toBe(404);
    expect((await asBob(`/v1/rooms/${created.body.code}`, { method: 'DELETE' })).status).toBe(404);
    expect((await asBob('/v1/rooms')).body.items).toEqual([]);
    expect((await asAlice(`/v1/rooms/${created.body.code}`)).status).toBe(200);
  });

  it('reads the identity from the ID token with a provider that puts it there (plain JSON userinfo)', async () => {
    const other = await startSignInGateway({}, { claimsInIdToken: true, signedUserinfo: false });
    const tokens = await other.signIn('bob');
    expect((await other.as(tokens.access_token)('/v1/me')).body).toMatchObject({ sub: 'bob', name: 'Bob Durand' });
  });

  it('announces sign-in in GET /v1/config, which alone needs no token', async () => {
    const config = ConfigSchema.parse((await gw.json('/v1/config')).body);
    expect(config.auth).toEqual({ mode: 'oidc', loginUrl: `${gw.url}/auth/login`, tokenUrl: `${gw.url}/auth/token`, logoutUrl: `${gw.url}/auth/logout` });
    for (const [method, path] of [
      ['GET', '/v1/rooms'],
      ['POST', '/v1/rooms'],
      ['GET', '/v1/rooms/abc-defg-hij'],
      ['DELETE', '/v1/rooms/abc-defg-hij'],
      ['GET', '/v1/rooms/abc-defg-hij/invitation'],
      ['POST', '/v1/ics'],
      ['GET', '/v1/audit'],
      ['GET', '/v1/me'],
      ['GET', '/v1/no-such-route'],
      ['POST', '/v1/config'],
    ] as const) {
      const answer = await gw.json(path, { method, ...(method === 'POST' ? { body: {} } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(ProblemSchema.parse(answer.body).type).toBe('urn:visio:problem:unauthorized');
    }
  });

  it('rotates refresh tokens; the shared client refreshes and retries once on 401', async () => {
    const first = await gw.signIn('alice');
    const rotated = await gw.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: TEST_CLIENT.id });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);

    // A stale access token in storage: the client gets a 401, refreshes through the gateway, retries.
    const storage = memoryTokenStorage({ accessToken: 'stale', refreshToken: rotated.body.refresh_token, expiresAt: Date.now() + 600_000 });
    const session = createSignInSession({ endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: `${gw.url}/auth/token` }, clientId: TEST_CLIENT.id, redirectUri: TEST_CLIENT.redirectUri, storage });
    const client = createVisioClient({ baseUrl: gw.url, auth: session, clientName: 'outlook' });
    const room = await client.createRoom({ title: 'Après rafraîchissement' });
    expect(room.code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    const stored = await storage.load();
    expect(stored?.refreshToken).not.toBe(rotated.body.refresh_token);
    expect(stored?.accessToken).not.toBe('stale');
  });

  it('signs in with the shared session helper end to end and signs out (logout revokes the session)', async () => {
    const storage = memoryTokenStorage();
    const session = createSignInSession({
      endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: `${gw.url}/auth/token`, logoutUrl: `${gw.url}/auth/logout` },
      clientId: OTHER_CLIENT.id,
      redirectUri: OTHER_CLIENT.redirectUri,
      storage,
    });
    const pending = await session.beginSignIn('fr');
    const landed = await new TestUserAgent().signIn(pending.url, 'alice', (u) => u.origin === 'https://other-app.example');
    // The registered URI's own query survives; the gateway adds code, state and iss.
    expect(landed.searchParams.get('from')).toBe('visio');
    expect(landed.searchParams.get('iss')).toBe(gw.url);
    await session.completeSignIn(landed.href, pending);
    const tokens = (await storage.load())!;
    expect((await gw.as(tokens.accessToken)('/v1/me')).status).toBe(200);

    await session.signOut();
    expect(await session.isSignedIn()).toBe(false);
    expect((await gw.as(tokens.accessToken)('/v1/me')).status).toBe(401);
    expect((await gw.token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: OTHER_CLIENT.id })).status).toBe(400);
  });

  it('hands the client an access_denied error (and its state, no code) when the agent refuses consent', async () => {
    const pending = await beginSignIn({ endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: '' }, clientId: TEST_CLIENT.id, redirectUri: TEST_CLIENT.redirectUri });
    const landed = await new TestUserAgent().signIn(pending.url, 'alice', (u) => u.origin === 'https://test-app.example', { consent: false });
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe(pending.state);
    expect(landed.searchParams.has('code')).toBe(false);
    expect(() => readRedirect(landed.href, pending)).toThrow(SignInError);
  });

  it('stores the signing key in the data folder with mode 600', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(join(gw.dataDir, 'token-secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(gw.dataDir, 'token-secret'), 'utf8').length).toBeGreaterThanOrEqual(48);
  });
});

describe('the typed client and tokens', () => {
  it('retries exactly once after a refresh, then reports the 401', async () => {
    let refreshes = 0;
    let requests = 0;
    const client = createVisioClient({
      baseUrl: gw.url,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
      auth: { getAccessToken: () => 'still-invalid', refresh: async () => (refreshes++, true) },
    });
    await expect(client.listRooms()).rejects.toMatchObject({ status: 401, kind: 'http' });
    expect([refreshes, requests]).toEqual([1, 2]);
  });

  it('does not retry when the refresh fails, and a refused refresh signs the agent out', async () => {
    const storage = memoryTokenStorage({ accessToken: 'stale', refreshToken: 'visio_rt_unknown', expiresAt: Date.now() + 600_000 });
    const session = createSignInSession({ endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: `${gw.url}/auth/token` }, clientId: TEST_CLIENT.id, redirectUri: TEST_CLIENT.redirectUri, storage });
    let requests = 0;
    const client = createVisioClient({ baseUrl: gw.url, auth: session, fetch: (i, o) => (requests++, fetch(i, o)) });
    await expect(client.listRooms()).rejects.toMatchObject({ status: 401 });
    expect(requests).toBe(1);
    expect(await session.isSignedIn()).toBe(false);
  });

  it('refreshes ahead of expiry, once for concurrent calls', async () => {
    const tokens = await gw.signIn('alice');
    const storage = memoryTokenStorage({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: Date.now() + 10_000 });
    let tokenCalls = 0;
    const session = createSignInSession({
      endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: `${gw.url}/auth/token` },
      clientId: TEST_CLIENT.id,
      redirectUri: TEST_CLIENT.redirectUri,
      storage,
      fetch: (i, o) => (tokenCalls++, fetch(i, o)),
    });
    const client = createVisioClient({ baseUrl: gw.url, auth: session });
    await Promise.all([client.listRooms(), client.listRooms(), client.getConfig()]);
    expect(tokenCalls).toBe(1);
    expect((await storage.load())!.refreshToken).not.toBe(tokens.refresh_token);
  });
});

it('logged every flow above without a token, code, secret or password (runs last)', () => {
  expect(gw.logs.length).toBeGreaterThan(20);
  expect(leaks(gw.logs, [GATEWAY_CLIENT_SECRET, 'any-password'])).toEqual([]);
});
