/** Every attack on the sign-in and the API the issue lists, each refused; then the run's logs are scanned for secrets. */
import { execFile } from 'node:child_process';
import { createSecretKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestUserAgent } from '@visio/testing/oidc-provider';
import { beginSignIn } from '@visio/shared/sign-in';
import { ProblemSchema } from '@visio/shared/contract';
import { GATEWAY_CLIENT_SECRET, leaks, OTHER_CLIENT, startSignInGateway, TEST_CLIENT, type SignInGateway } from './auth-harness.ts';

const run = promisify(execFile);
const ADMIN = join(import.meta.dirname, '..', 'dist', 'admin.js');

let gw: SignInGateway;
/** Every secret value the run handled: none may appear in any log line. */
const secrets = new Set<string>([GATEWAY_CLIENT_SECRET, 'any-password']);
const gateways: SignInGateway[] = [];
const adminOutput: string[] = [];

async function start(env: Record<string, string> = {}) {
  const g = await startSignInGateway({ CORS_ORIGINS: 'https://calendar.example.gouv.fr', ...env });
  gateways.push(g);
  secrets.add(readFileSync(join(g.dataDir, 'token-secret'), 'utf8'));
  return g;
}

async function signIn(g: SignInGateway, login: string, client = TEST_CLIENT) {
  const tokens = await g.signIn(login, client);
  secrets.add(tokens.access_token).add(tokens.refresh_token);
  return tokens;
}

async function codeFor(g: SignInGateway, login: string, client = TEST_CLIENT) {
  const result = await g.codeFor(login, client);
  secrets.add(result.code).add(result.pending.verifier);
  return result;
}

beforeAll(async () => {
  gw = await start();
});

const key = () => createSecretKey(Buffer.from(readFileSync(join(gw.dataDir, 'token-secret'), 'utf8'), 'utf8'));
const now = () => Math.floor(Date.now() / 1000);

/** An access token as the gateway mints them, with `change` applied. */
async function forge(change: { iss?: string; aud?: string; exp?: number; nbf?: number; typ?: string; key?: Parameters<SignJWT['sign']>[0]; alg?: string; sid?: string } = {}) {
  const t = now();
  const token = await new SignJWT({ email: 'mallory@example.gouv.fr', cid: TEST_CLIENT.id, sid: change.sid ?? randomUUID(), scope: 'rooms:read rooms:write audit:read' })
    .setProtectedHeader({ alg: change.alg ?? 'HS256', typ: change.typ ?? 'at+jwt' })
    .setIssuer(change.iss ?? gw.url)
    .setAudience(change.aud ?? 'visio-gateway')
    .setSubject('alice')
    .setIssuedAt(t)
    .setNotBefore(change.nbf ?? t)
    .setExpirationTime(change.exp ?? t + 600)
    .sign(change.key ?? key());
  secrets.add(token);
  return token;
}

describe('access tokens that are not valid here get 401 and change nothing', () => {
  it('a well-formed token whose session was never issued is refused (the control for the cases below)', async () => {
    expect((await gw.as(await forge())('/v1/rooms')).status).toBe(401);
  });

  it.each([
    ['expired', async (sid: string) => forge({ sid, exp: now() - 60, nbf: now() - 700 })],
    ['not yet valid', async (sid: string) => forge({ sid, nbf: now() + 3600, exp: now() + 4000 })],
    ['signed with another key', async (sid: string) => forge({ sid, key: createSecretKey(Buffer.alloc(48, 7)) })],
    ['for another audience', async (sid: string) => forge({ sid, aud: 'another-service' })],
    ['from another issuer', async (sid: string) => forge({ sid, iss: 'https://evil.example' })],
    ['of another type (an ID token)', async (sid: string) => forge({ sid, typ: 'JWT' })],
    ['signed with RS256 by someone else', async (sid: string) => forge({ sid, alg: 'RS256', key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })],
    [
      'unsigned (alg none)',
      async (sid: string) => {
        const [h, p] = (await forge({ sid })).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
        void h;
        return `${header}.${p}.`;
      },
    ],
    ['garbage', async (_sid: string) => 'not-a-token'],
    [
      'with another subject pasted into a genuine token',
      async (sid: string) => {
        const [h, p, sig] = (await forge({ sid })).split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
        return `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.${sig}`;
      },
    ],
    ['with a non-canonical signature encoding', async (sid: string) => `${await forge({ sid })}A`],
    ['with an extra segment', async (sid: string) => `${await forge({ sid })}.e30`],
    ['an unknown service key', async (_sid: string) => 'visio_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('%s', async (_name, make) => {
    // A real, active session: only the named defect makes the token invalid (the test below is the control).
    const real = await signIn(gw, 'alice');
    const sid = JSON.parse(Buffer.from(real.access_token.split('.')[1]!, 'base64url').toString()).sid as string;
    const token = await make(sid);
    const asIt = gw.as(token);
    const answer = await asIt('/v1/rooms', { method: 'POST', body: { title: 'Intrus' } });
    expect(answer.status).toBe(401);
    expect(ProblemSchema.parse(answer.body).status).toBe(401);
    expect((await gw.as(real.access_token)('/v1/rooms')).body.items.every((r: { title?: string }) => r.title !== 'Intrus')).toBe(true);
  });

  it('a valid signature on a session that exists is accepted, so the refusals above are for their defect', async () => {
    const real = await signIn(gw, 'alice');
    const sid = JSON.parse(Buffer.from(real.access_token.split('.')[1]!, 'base64url').toString()).sid as string;
    expect((await gw.as(await forge({ sid }))('/v1/me')).status).toBe(200);
    expect((await gw.as(await forge({ sid, exp: now() - 60, nbf: now() - 700 }))('/v1/me')).status).toBe(401);
  });

  it.each([['Basic YWxpY2U6cGFzcw=='], ['Bearer'], ['Bearer  two spaces'], ['bearer\ttab']])('a malformed Authorization header (%s)', async (header) => {
    expect((await gw.json('/v1/rooms', { headers: { authorization: header } })).status).toBe(401);
  });
});

describe('the token endpoint refuses every misuse, and nothing is issued', () => {
  it('an access token presented as a refresh token', async () => {
    const tokens = await signIn(gw, 'alice');
    const answer = await gw.token({ grant_type: 'refresh_token', refresh_token: tokens.access_token, client_id: TEST_CLIENT.id });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
    expect(answer.body.access_token).toBeUndefined();
  });

  it("another client's refresh token (and it stays usable by its own client)", async () => {
    const tokens = await signIn(gw, 'alice');
    const stolen = await gw.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: OTHER_CLIENT.id });
    expect(stolen.status).toBe(400);
    expect(stolen.body.access_token).toBeUndefined();
    const own = await gw.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: TEST_CLIENT.id });
    expect(own.status).toBe(200);
    secrets.add(own.body.access_token).add(own.body.refresh_token);
  });

  it('a reused refresh token revokes the whole family (the newer tokens too)', async () => {
    const tokens = await signIn(gw, 'alice');
    const next = await gw.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: TEST_CLIENT.id });
    secrets.add(next.body.access_token).add(next.body.refresh_token);
    expect((await gw.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: TEST_CLIENT.id })).status).toBe(400);
    expect((await gw.token({ grant_type: 'refresh_token', refresh_token: next.body.refresh_token, client_id: TEST_CLIENT.id })).status).toBe(400);
    expect((await gw.as(next.body.access_token)('/v1/me')).status).toBe(401);
  });

  it('a replayed one-time code fails, and revokes what the first use produced', async () => {
    const { code, pending } = await codeFor(gw, 'alice');
    const request = { grant_type: 'authorization_code', code, code_verifier: pending.verifier, client_id: TEST_CLIENT.id, redirect_uri: TEST_CLIENT.redirectUri };
    const first = await gw.token(request);
    expect(first.status).toBe(200);
    secrets.add(first.body.access_token).add(first.body.refresh_token);
    const replay = await gw.token(request);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await gw.as(first.body.access_token)('/v1/me')).status).toBe(401);
    expect((await gw.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: TEST_CLIENT.id })).status).toBe(400);
  });

  it.each([
    ['a PKCE verifier that does not match', (r: Record<string, string>) => ({ ...r, code_verifier: 'x'.repeat(43) })],
    ['another redirect_uri', (r: Record<string, string>) => ({ ...r, redirect_uri: OTHER_CLIENT.redirectUri })],
    ['another client_id', (r: Record<string, string>) => ({ ...r, client_id: OTHER_CLIENT.id })],
  ])('%s: refused, and the code is void afterwards', async (_name, tamper) => {
    const { code, pending } = await codeFor(gw, 'alice');
    const request = { grant_type: 'authorization_code', code, code_verifier: pending.verifier, client_id: TEST_CLIENT.id, redirect_uri: TEST_CLIENT.redirectUri };
    const answer = await gw.token(tamper(request));
    expect(answer.status).toBe(400);
    expect(answer.body.access_token).toBeUndefined();
    expect((await gw.token(request)).status).toBe(400);
  });

  it.each([
    [{ grant_type: 'password', username: 'alice', password: 'any-password', client_id: TEST_CLIENT.id }, 400],
    [{ grant_type: 'authorization_code', code: 'visio_ac_nope', code_verifier: 'a'.repeat(43), client_id: TEST_CLIENT.id, redirect_uri: TEST_CLIENT.redirectUri }, 400],
    [{ grant_type: 'authorization_code', code: 'x', code_verifier: 'short', client_id: TEST_CLIENT.id, redirect_uri: TEST_CLIENT.redirectUri }, 400],
    [{ grant_type: 'refresh_token', refresh_token: 'visio_rt_x', client_id: 'unregistered' }, 401],
    [{}, 400],
  ])('a malformed or unknown grant %j', async (body, status) => {
    const answer = await gw.token(body as Record<string, string>);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('the login endpoint refuses unregistered and look-alike redirect URIs: no redirect, no code, no cookie', () => {
  const login = (clientId: string, redirectUri: string, extra = '') =>
    `/auth/login?client_id=${encodeURIComponent(clientId)}&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&state=s${extra}`;

  it.each([
    'https://evil.example',
    'https://evil.example/callback',
    'https://test-app.example.evil.example/callback',
    'https://test-app.example@evil.example/callback',
    'https://evil.example/https://test-app.example/callback',
    'https://test-app.example/callback/../../evil',
    'https://test-app.example/callback/evil',
    'https://test-app.example/callback/',
    'https://test-app.example/callbac',
    'https://test-app.example/callback?next=https://evil.example',
    'https://test-app.example/callback#https://evil.example',
    'https://TEST-APP.example/callback',
    'https://test-app.example/Callback',
    'https://test-app.example/%63allback',
    'https://test-app.example/callback%2F..%2Fevil',
    'https://test-app.example./callback',
    'https://test-app.example:443/callback',
    'http://test-app.example/callback',
    ' https://test-app.example/callback',
    '//evil.example/callback',
    'javascript:alert(1)',
    OTHER_CLIENT.redirectUri,
  ])('%s', async (uri) => {
    const response = await gw.fetch(login(TEST_CLIENT.id, uri), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await response.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).not.toContain('evil');
  });

  it.each([
    ['an unregistered client', login('evil-app', TEST_CLIENT.redirectUri)],
    ['no client', `/auth/login?redirect_uri=${encodeURIComponent(TEST_CLIENT.redirectUri)}`],
    ['a repeated redirect_uri', `${login(TEST_CLIENT.id, TEST_CLIENT.redirectUri)}&redirect_uri=${encodeURIComponent('https://evil.example')}`],
  ])('%s', async (_name, path) => {
    const response = await gw.fetch(path, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('a registered client without PKCE is sent back with invalid_request, not to the provider', async () => {
    const response = await gw.fetch(`/auth/login?client_id=${TEST_CLIENT.id}&redirect_uri=${encodeURIComponent(TEST_CLIENT.redirectUri)}&state=abc`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(TEST_CLIENT.redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('abc');
    expect(location.searchParams.has('code')).toBe(false);
  });
});

describe('the callback refuses a state that this browser was not given', () => {
  async function callbackUrl(agent: TestUserAgent) {
    const pending = await beginSignIn({ endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: '' }, clientId: TEST_CLIENT.id, redirectUri: TEST_CLIENT.redirectUri });
    return agent.signIn(pending.url, 'alice', (u) => u.pathname === '/auth/callback');
  }

  it('the callback delivered to another browser (login CSRF) is refused and issues nothing', async () => {
    const callback = await callbackUrl(new TestUserAgent());
    secrets.add(callback.searchParams.get('code')!);
    const victim = new TestUserAgent();
    const response = await victim.request(callback.href);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('expiré');
  });

  it('a tampered state is refused; the genuine one still works once, then never again', async () => {
    const agent = new TestUserAgent();
    const callback = await callbackUrl(agent);
    secrets.add(callback.searchParams.get('code')!);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expect((await agent.request(tampered.href)).status).toBe(400);
    const genuine = await agent.request(callback.href);
    expect(genuine.status).toBe(302);
    const landed = new URL(genuine.headers.get('location')!);
    expect(landed.searchParams.get('code')).toMatch(/^visio_ac_/);
    secrets.add(landed.searchParams.get('code')!);
    expect((await agent.request(callback.href)).status).toBe(400);
  });
});

describe('CORS', () => {
  it.each(['/v1/config', '/v1/rooms', '/auth/token'])('a disallowed origin gets no CORS headers on %s; an allowed one does', async (path) => {
    const evil = await gw.fetch(path, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-headers')).toBeNull();
    const evilGet = await gw.fetch(path, { headers: { origin: 'https://evil.example' } });
    expect(evilGet.headers.get('access-control-allow-origin')).toBeNull();
    const good = await gw.fetch(path, { method: 'OPTIONS', headers: { origin: 'https://calendar.example.gouv.fr', 'access-control-request-method': 'POST' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('https://calendar.example.gouv.fr');
  });
});

describe('rate limits: 429 with RateLimit, RateLimit-Policy and Retry-After', () => {
  it('room creation, per agent (another agent is not affected)', async () => {
    const g = await start({ RATE_LIMIT_ROOMS_PER_USER: '3', RATE_LIMIT_WINDOW: '600' });
    const alice = g.as((await signIn(g, 'alice')).access_token);
    const first = await alice('/v1/rooms', { method: 'POST', body: {} });
    expect(first.headers.get('ratelimit-policy')).toBe('"rooms-user";q=3;w=600');
    expect(first.headers.get('ratelimit')).toMatch(/^"rooms-user";r=2;t=\d+$/);
    await alice('/v1/rooms', { method: 'POST', body: {} });
    await alice('/v1/ics', { method: 'POST', body: { title: 'x', start: '2026-03-02T10:00:00', end: '2026-03-02T11:00:00', timeZone: 'Europe/Paris' } });
    const limited = await alice('/v1/rooms', { method: 'POST', body: { title: 'de trop' } });
    expect(limited.status).toBe(429);
    expect(ProblemSchema.parse(limited.body).type).toBe('urn:visio:problem:rate-limited');
    expect(limited.headers.get('ratelimit')).toMatch(/^"rooms-user";r=0;t=\d+$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await alice('/v1/rooms')).body.items).toHaveLength(3);
    const bob = g.as((await signIn(g, 'bob')).access_token);
    expect((await bob('/v1/rooms', { method: 'POST', body: {} })).status).toBe(201);
  });

  it('room creation, per address', async () => {
    const g = await start({ RATE_LIMIT_ROOMS_PER_ADDRESS: '2' });
    const alice = g.as((await signIn(g, 'alice')).access_token);
    const bob = g.as((await signIn(g, 'bob')).access_token);
    expect((await alice('/v1/rooms', { method: 'POST', body: {} })).status).toBe(201);
    expect((await bob('/v1/rooms', { method: 'POST', body: {} })).status).toBe(201);
    const limited = await bob('/v1/rooms', { method: 'POST', body: {} });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toBe('"rooms-address";q=2;w=60');
  });

  it('sign-in, per address: the page says so, the token endpoint answers problem+json', async () => {
    const g = await start({ RATE_LIMIT_SIGNIN_PER_ADDRESS: '2' });
    const path = `/auth/login?client_id=${TEST_CLIENT.id}&redirect_uri=${encodeURIComponent(TEST_CLIENT.redirectUri)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&state=s`;
    expect((await g.fetch(path, { redirect: 'manual' })).status).toBe(302);
    expect((await g.fetch(path, { redirect: 'manual' })).status).toBe(302);
    const limited = await g.fetch(path, { redirect: 'manual' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('ratelimit-policy')).toBe('"signin-address";q=2;w=60');
    expect(await limited.text()).toContain('Trop de tentatives');
    const token = await g.token({ grant_type: 'refresh_token', refresh_token: 'visio_rt_x', client_id: TEST_CLIENT.id });
    expect(token.status).toBe(429);
  });

  it('sign-in, per agent', async () => {
    const g = await start({ RATE_LIMIT_SIGNIN_PER_USER: '1' });
    await signIn(g, 'alice');
    // The second sign-in of the same agent within the window is handed back as an error, without a code.
    const pending = await beginSignIn({ endpoints: { loginUrl: `${g.url}/auth/login`, tokenUrl: '' }, clientId: TEST_CLIENT.id, redirectUri: TEST_CLIENT.redirectUri });
    const landed = await new TestUserAgent().signIn(pending.url, 'alice', (u) => u.origin === 'https://test-app.example');
    expect(landed.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(landed.searchParams.has('code')).toBe(false);
    await signIn(g, 'bob');
  });
});

describe('service keys', () => {
  it('are created by the admin command, shown once, stored hashed, scoped and revocable', async () => {
    const env = { ...process.env, VISIO_DATA_DIR: gw.dataDir, LOG_LEVEL: 'silent' };
    const created = await run(process.execPath, [ADMIN, 'service-key', 'create', '--name', 'caldav', '--scope', 'rooms:write', '--scope', 'rooms:read'], { env });
    const value = created.stdout.trim();
    expect(value).toMatch(/^visio_sk_[A-Za-z0-9_-]{43}$/);
    secrets.add(value);
    adminOutput.push(created.stderr);
    expect(readFileSync(join(gw.dataDir, 'gateway.sqlite')).includes(value)).toBe(false);

    const asService = gw.as(value);
    const room = await asService('/v1/rooms', { method: 'POST', body: { title: 'Depuis le serveur CalDAV' } });
    expect(room.status).toBe(201);
    expect((await asService('/v1/me')).body).toMatchObject({ sub: 'service:caldav', kind: 'service' });
    const audit = await asService('/v1/audit');
    expect(audit.status).toBe(403);
    expect(audit.headers.get('www-authenticate')).toContain('insufficient_scope');

    const list = await run(process.execPath, [ADMIN, 'service-key', 'list'], { env });
    expect(list.stdout).toMatch(/caldav\trooms:write rooms:read\tcreated .*\tactive/);
    expect(list.stdout).not.toContain(value);
    const duplicate = await run(process.execPath, [ADMIN, 'service-key', 'create', '--name', 'caldav', '--scope', 'rooms:read'], { env }).catch((e) => e);
    expect(duplicate.code).toBe(2);
    const badScope = await run(process.execPath, [ADMIN, 'service-key', 'create', '--name', 'x', '--scope', 'admin'], { env }).catch((e) => e);
    expect(badScope.code).toBe(2);

    await run(process.execPath, [ADMIN, 'service-key', 'revoke', 'caldav'], { env });
    expect((await asService('/v1/rooms')).status).toBe(401);
  });

  it('a read-only key cannot create rooms', async () => {
    const env = { ...process.env, VISIO_DATA_DIR: gw.dataDir, LOG_LEVEL: 'silent' };
    const value = (await run(process.execPath, [ADMIN, 'service-key', 'create', '--name', 'reader', '--scope', 'rooms:read'], { env })).stdout.trim();
    secrets.add(value);
    expect((await gw.as(value)('/v1/rooms')).status).toBe(200);
    expect((await gw.as(value)('/v1/rooms', { method: 'POST', body: {} })).status).toBe(403);
  });
});

describe('audit trail', () => {
  it('records who created and deleted which room from which client; each agent sees only their own', async () => {
    const g = await start();
    const token = (await signIn(g, 'alice')).access_token;
    const alice = (path: string, init: { method?: string; body?: unknown; client?: string } = {}) =>
      g.json(path, { method: init.method ?? 'GET', body: init.body, headers: { authorization: `Bearer ${token}`, ...(init.client ? { 'x-visio-client': init.client } : {}) } });
    const a = (await alice('/v1/rooms', { method: 'POST', body: {}, client: 'outlook' })).body.code;
    const b = (await alice('/v1/rooms', { method: 'POST', body: {}, client: 'thunderbird' })).body.code;
    await alice(`/v1/rooms/${a}`, { method: 'DELETE', client: 'browser' });
    await alice('/v1/rooms', { method: 'POST', body: {} });
    const page = await alice('/v1/audit?limit=3');
    expect(page.status).toBe(200);
    expect(page.body.items.slice(1)).toEqual([
      { action: 'room.delete', room: a, client: 'browser', at: expect.any(String) },
      { action: 'room.create', room: b, client: 'thunderbird', at: expect.any(String) },
    ]);
    expect(page.body.items[0].client).toBe(TEST_CLIENT.id);
    const rest = await alice(`/v1/audit?limit=3&cursor=${page.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [{ action: 'room.create', room: a, client: 'outlook', at: expect.any(String) }], nextCursor: null });
    const bob = g.as((await signIn(g, 'bob')).access_token);
    expect((await bob('/v1/audit')).body).toEqual({ items: [], nextCursor: null });
    expect((await alice('/v1/audit?cursor=abc')).status).toBe(400);
  });
});

describe('property-based fuzzing of every route never yields a 500', () => {
  it('random methods, paths, queries, headers and bodies, with and without a valid token', async () => {
    const tokens = await signIn(gw, 'alice');
    const routes = [
      '/v1/config',
      '/v1/rooms',
      '/v1/rooms/abc-defg-hij',
      '/v1/rooms/abc-defg-hij/invitation',
      '/v1/ics',
      '/v1/audit',
      '/v1/me',
      '/auth/login',
      '/auth/callback',
      '/auth/token',
      '/auth/logout',
      '/',
      '/healthz',
      '/readyz',
      '/openapi.json',
    ];
    const text = fc.string({ maxLength: 60, unit: 'grapheme' });
    const value = fc.oneof(text, fc.constantFrom('S256', TEST_CLIENT.id, TEST_CLIENT.redirectUri, 'authorization_code', 'refresh_token', 'visio_rt_x', 'visio_ac_x', '%00', '../', 'a'.repeat(43)));
    const params = fc.dictionary(
      fc.constantFrom(
        'client_id',
        'redirect_uri',
        'code_challenge',
        'code_challenge_method',
        'state',
        'code',
        'error',
        'iss',
        'limit',
        'cursor',
        'lang',
        'grant_type',
        'refresh_token',
        'code_verifier',
      ),
      value,
      { maxKeys: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'),
        fc.constantFrom(...routes),
        params,
        fc.constantFrom('none', 'valid', 'garbage'),
        fc.constantFrom('json', 'form', 'text', 'none'),
        params,
        async (method, route, query, auth, kind, body) => {
          const headers: Record<string, string> = {};
          if (auth === 'valid') headers.authorization = `Bearer ${tokens.access_token}`;
          if (auth === 'garbage') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.e30.';
          let payload: string | undefined;
          if (method !== 'GET' && kind !== 'none') {
            headers['content-type'] = kind === 'json' ? 'application/json' : kind === 'form' ? 'application/x-www-form-urlencoded' : 'text/plain';
            payload = kind === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString();
          }
          const qs = new URLSearchParams(query).toString();
          const response = await gw.fetch(`${route}${qs ? `?${qs}` : ''}`, { method, headers, body: payload, redirect: 'manual' });
          await response.arrayBuffer();
          expect(response.status, `${method} ${route}?${qs}`).toBeLessThan(500);
        },
      ),
      { numRuns: 250 },
    );
  });
});

// Last test of the file (tests run in order): every gateway of this file, every log line, every secret handled.
it('no log line contains a token, code, key, secret or password', () => {
  const lines = gateways.flatMap((g) => g.logs).concat(adminOutput);
  expect(lines.length).toBeGreaterThan(50);
  expect(leaks(lines, secrets)).toEqual([]);
});
