/**
 * Join links in OIDC mode (VISIO_PROVIDER=livekit): the invitation link is the gateway's `/j/{code}`, clicked
 * in a browser or a mail client that holds no bearer token. Signed out, the gateway sends the browser through
 * the real OpenID provider and back to the link; a join session cookie (read on /j/* only) then lets the next
 * clicks through. Real gateway processes, the real provider, Chromium, the LiveKit double.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, SignJWT } from 'jose';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { answerAtProvider } from '@visio/testing/signed-in-gateway';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { startLiveKitDouble, type LiveKitDouble } from '@visio/testing/livekit-double';
import { freePort, startOidcProvider, TestUserAgent, type TestOidcProvider } from '@visio/testing/oidc-provider';
import { beginSignIn, readRedirect } from '@visio/shared/sign-in';
import { PROBLEM_CONTENT_TYPE } from '@visio/shared/contract';
import { leaks } from './auth-harness.ts';

const CLIENT = { id: 'test-app', redirectUri: 'https://test-app.example/callback' };
const OP_SECRET = 'join-session-op-secret-0123456789';
const TOKEN_SECRET = 'join-session-token-secret-0123456789-abcdef';
const HTTPS_PUBLIC_URL = 'https://visio-gateway.example.gouv.fr';
const COOKIE = 'visio_join';

let op: TestOidcProvider;
let lk: LiveKitDouble;
let frontEnd: { url: string; server: Server };
let gateway: GatewayProcess;
let httpsGateway: GatewayProcess;
let browser: Chromium;
/** Every secret value the tests saw: none may appear in a gateway's output. */
const seen = new Set<string>([OP_SECRET, TOKEN_SECRET, 'any-password']);
const foreign: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  op = await startOidcProvider({
    clients: [{ client_id: 'visio-gateway', client_secret: OP_SECRET, redirect_uris: [`http://127.0.0.1:${port}/auth/callback`, `${HTTPS_PUBLIC_URL}/auth/callback`] }],
  });
  lk = await startLiveKitDouble();
  seen.add(lk.apiSecret);
  // The LiveKit Meet front end: a page on loopback, where the browser lands with its join token.
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="fr"><title>LiveKit Meet</title><h1>Réunion</h1></html>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  frontEnd = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  const env = {
    LOG_LEVEL: 'debug',
    OIDC_ISSUER: op.issuer,
    OIDC_CLIENT_ID: 'visio-gateway',
    OIDC_CLIENT_SECRET: OP_SECRET,
    OIDC_SCOPES: 'openid email given_name usual_name',
    VISIO_CLIENTS: JSON.stringify({ [CLIENT.id]: [CLIENT.redirectUri] }),
    VISIO_TOKEN_SECRET: TOKEN_SECRET,
    VISIO_PROVIDER: 'livekit',
    LIVEKIT_URL: lk.url.replace(/^http/, 'ws'),
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_MEET_URL: frontEnd.url,
    RATE_LIMIT_SIGNIN_PER_ADDRESS: '0',
    RATE_LIMIT_SIGNIN_PER_USER: '0',
  };
  [gateway, httpsGateway, browser] = await Promise.all([
    startGatewayProcess({ ...env, PORT: String(port) }),
    // Behind a TLS reverse proxy: the public URL is https, the process itself listens on loopback.
    startGatewayProcess({ ...env, VISIO_PUBLIC_URL: HTTPS_PUBLIC_URL, JOIN_SESSION_TTL: '3600' }),
    launchChromium(),
  ]);
  // Nothing leaves loopback (the provider's development pages link a web font: refused, and noted).
  await browser.context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([gateway?.stop(), httpsGateway?.stop()]);
  await Promise.all([op?.close(), lk?.close(), new Promise((resolve) => frontEnd?.server.close(resolve))]);
});

/** An agent's access token through a registered client (bob creates the rooms; alice is invited). */
async function bearer(login: string, gw = gateway): Promise<string> {
  const pending = await beginSignIn({ endpoints: { loginUrl: `${gw.url}/auth/login`, tokenUrl: '' }, clientId: CLIENT.id, redirectUri: CLIENT.redirectUri });
  const landed = await new TestUserAgent().signIn(pending.url, login, (u) => u.origin === 'https://test-app.example');
  const response = await fetch(`${gw.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: readRedirect(landed.href, pending), code_verifier: pending.verifier, client_id: CLIENT.id, redirect_uri: CLIENT.redirectUri }),
  });
  expect(response.status).toBe(200);
  const token = ((await response.json()) as { access_token: string }).access_token;
  seen.add(token);
  return token;
}

async function createRoom(token: string, title: string): Promise<string> {
  const response = await fetch(`${gateway.url}/v1/rooms`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { code: string }).code;
}

/** GET without following redirects, as a browser holding `cookie` (a join session value) would send it. */
async function open(path: string, cookie?: string, headers: Record<string, string> = {}, gw = gateway) {
  const response = await fetch(`${gw.url}${path}`, { redirect: 'manual', headers: { ...(cookie ? { cookie: `${COOKIE}=${cookie}` } : {}), ...headers } });
  return { status: response.status, location: response.headers.get('location'), setCookie: response.headers.getSetCookie(), type: response.headers.get('content-type'), body: await response.text() };
}

/** Signs in through the join link with a cookie-keeping agent; returns where the gateway sent it back, and the session. */
async function joinSignIn(path: string, login: string, agent = new TestUserAgent()) {
  const landed = await agent.signIn(`${gateway.url}${path}`, login, (u) => u.origin === gateway.url && u.pathname.startsWith('/j/'));
  const session = agent.jar.get(new URL(gateway.url).host)?.get(COOKIE);
  if (session) seen.add(session);
  return { landed, session, agent };
}

/** The LiveKit join token a front-end URL carries, verified as LiveKit does. */
async function liveKitClaims(location: string) {
  const target = new URL(location);
  expect(`${target.origin}${target.pathname}`).toBe(`${frontEnd.url}/custom`);
  expect(target.searchParams.get('liveKitUrl')).toBe(lk.url.replace(/^http/, 'ws'));
  const token = target.searchParams.get('token')!;
  seen.add(token);
  return new TokenVerifier(lk.apiKey, lk.apiSecret).verify(token);
}

const toProvider = (location: string | null) => location !== null && new URL(location).origin === op.issuer;

describe('join links in OIDC mode', () => {
  it('Chromium: signed out, the link leads through the provider into the LiveKit room; the next click goes straight in', async () => {
    const bob = await bearer('bob');
    const room = await createRoom(bob, 'Comité de pilotage');
    const other = await createRoom(bob, 'Point hebdomadaire');
    const requests: string[] = [];
    const record = (r: { url(): string }) => requests.push(r.url());
    browser.context.on('request', record);
    const page = await browser.context.newPage();

    await page.goto(`${gateway.url}/j/${room}`);
    await page.waitForURL((u) => u.origin === op.issuer);
    await answerAtProvider(page, 'alice');
    await page.waitForURL((u) => u.origin === frontEnd.url);
    await page.getByRole('heading', { name: 'Réunion' }).waitFor();

    // Alice (the invitee, not the owner) holds a token for this room only.
    const claims = await liveKitClaims(page.url());
    expect(claims.sub).toBe('alice');
    expect(claims.name).toBe('Alice Martin');
    expect(claims.video).toMatchObject({ roomJoin: true, room });
    expect(claims.video?.roomAdmin).toBeUndefined();
    await expect(new TokenVerifier(lk.apiKey, 'another-secret-another-secret-0123').verify(new URL(page.url()).searchParams.get('token')!)).rejects.toThrow();
    // She went through the provider and the gateway's callback, and came back to the link itself.
    expect(requests.some((u) => u.startsWith(`${gateway.url}/auth/callback?`))).toBe(true);
    expect(requests.filter((u) => u.startsWith(`${gateway.url}/j/`))).toEqual([`${gateway.url}/j/${room}`, `${gateway.url}/j/${room}`]);

    // The session cookie: HttpOnly, SameSite=Lax, Path=/, about 8 hours; the sign-in's state cookie is gone.
    const cookies = await browser.context.cookies(gateway.url);
    const session = cookies.find((c) => c.name === COOKIE)!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(Math.abs(session.expires - (Date.now() / 1000 + 8 * 3600))).toBeLessThan(120);
    expect(cookies.filter((c) => c.name.startsWith('visio_login_'))).toEqual([]);
    seen.add(session.value);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // The second click (another room) goes straight in: no provider, no callback.
    requests.length = 0;
    await page.goto(`${gateway.url}/j/${other}`);
    await page.waitForURL((u) => u.origin === frontEnd.url);
    expect((await liveKitClaims(page.url())).video).toMatchObject({ roomJoin: true, room: other });
    expect(requests.filter((u) => u.startsWith(op.issuer) || u.includes('/auth/'))).toEqual([]);

    // The browser sends the cookie to /v1 as well (Path=/): the API does not take it.
    const api = await page.goto(`${gateway.url}/v1/rooms`);
    expect(api?.status()).toBe(401);
    expect(api?.headers()['www-authenticate']).toMatch(/^Bearer /);
    expect((await page.goto(`${gateway.url}/v1/me`))?.status()).toBe(401);

    // Signing out on the gateway page ends the join session too: the next click asks for sign-in again.
    await page.goto(`${gateway.url}/`);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Connecté en tant que Alice Martin (alice.martin@example.gouv.fr).').waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    expect((await browser.context.cookies(gateway.url)).filter((c) => c.name === COOKIE)).toEqual([]);
    const revoked = await open(`/j/${room}`, session.value);
    expect(toProvider(revoked.location)).toBe(true);

    // A sign-in failure reads as a page saying what to do, accessible, in the browser's language.
    await page.goto(`${gateway.url}/auth/callback?state=not-issued-here&code=x`);
    await page.getByRole('heading', { name: 'Demande de connexion expirée' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
    browser.context.off('request', record);
    expect(foreign.filter((u) => !u.startsWith('https://fonts.googleapis.com/'))).toEqual([]);
  });

  it('refuses an altered, forged, cross-kind, expired or signed-out session: the browser is sent to sign in again', async () => {
    const room = await createRoom(await bearer('bob'), 'Réunion');
    const { session } = await joinSignIn(`/j/${room}`, 'alice');
    expect(session).toMatch(/^eyJ/);
    const valid = await open(`/j/${room}`, session);
    expect(valid.status).toBe(302);
    expect((await liveKitClaims(valid.location!)).sub).toBe('alice');

    const [header, payload, signature] = session!.split('.') as [string, string, string];
    const claims = decodeJwt(session!);
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const key = (secret: string) => createHmac('sha256', secret).update('visio join session v1').digest();
    const sign = (body: Record<string, unknown>, secret = TOKEN_SECRET, typ = 'visio-join+jwt') => new SignJWT(body).setProtectedHeader({ alg: 'HS256', typ }).sign(key(secret));
    const aliceAccess = await bearer('alice');

    const refused: Record<string, string> = {
      'another agent in the payload': `${header}.${enc({ ...claims, sub: 'bob', email: 'bob.durand@example.gouv.fr' })}.${signature}`,
      'a longer lifetime in the payload': `${header}.${enc({ ...claims, exp: claims.exp! + 86_400 })}.${signature}`,
      'an altered signature': `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
      'signed with another secret': await sign(claims, 'not-the-gateway-secret-0123456789-abcdef'),
      'unsigned (alg none)': `${enc({ alg: 'none', typ: 'visio-join+jwt' })}.${payload}.`,
      'an access token of the same agent': aliceAccess,
      'of another type': await sign(claims, TOKEN_SECRET, 'at+jwt'),
      'expired (rightly signed, its sign-in still active)': await sign({ ...claims, iat: claims.iat! - 9 * 3600, exp: claims.iat! - 3600 }),
      'naming a sign-in the gateway never started': await sign({ ...claims, sid: '00000000-0000-4000-8000-000000000000' }),
      garbage: 'x'.repeat(40),
    };
    // The control: a value built the same way, unexpired, with the real sign-in, is accepted.
    expect((await open(`/j/${room}`, await sign({ ...claims }))).status).toBe(302);
    expect(toProvider((await open(`/j/${room}`, await sign({ ...claims }))).location)).toBe(false);
    for (const [name, value] of Object.entries(refused)) {
      const answer = await open(`/j/${room}`, value);
      expect({ name, status: answer.status, toProvider: toProvider(answer.location) }).toEqual({ name, status: 302, toProvider: true });
      expect(answer.setCookie.some((c) => c.startsWith(`${COOKIE}=`) && !/max-age=0/i.test(c))).toBe(false);
    }
    // The session value is not a bearer token either.
    expect((await open(`/j/${room}`, undefined, { authorization: `Bearer ${session}` })).status).toBe(401);

    // Sign-out (the browser posts to /auth/logout with its cookie): the cookie is removed and the session revoked.
    const out = await fetch(`${gateway.url}/auth/logout`, { method: 'POST', headers: { cookie: `${COOKIE}=${session}` } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^${COOKIE}=; Max-Age=0; Path=/`))]);
    const replayed = await open(`/j/${room}`, session);
    expect(toProvider(replayed.location)).toBe(true);
  });

  it('the cookie opens no API route: reading and creating rooms stay bearer-only', async () => {
    const { session } = await joinSignIn(`/j/${await createRoom(await bearer('bob'), 'Réunion')}`, 'alice');
    for (const [method, path] of [
      ['GET', '/v1/rooms'],
      ['GET', '/v1/me'],
      ['POST', '/v1/rooms'],
      ['GET', '/v1/audit'],
    ] as const) {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { cookie: `${COOKIE}=${session}`, 'content-type': 'application/json', origin: gateway.url },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect({ path, method, status: response.status }).toEqual({ path, method, status: 401 });
      expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    }
  });

  it('returns to the link itself only: ?next=, absolute or encoded URLs cannot lead anywhere else', async () => {
    const room = await createRoom(await bearer('bob'), 'Réunion');
    const tricks = `next=${encodeURIComponent('https://evil.example/')}&redirect_uri=${encodeURIComponent('https://evil.example/')}&return_to=//evil.example`;
    const { landed, agent } = await joinSignIn(`/j/${room}?${tricks}`, 'alice');
    expect(landed.href).toBe(`${gateway.url}/j/${room}`);
    const inside = await agent.request(landed.href);
    expect(new URL(inside.headers.get('location')!).origin).toBe(frontEnd.url);

    // The upper-case form of a code is normalised before it is remembered.
    const upper = await joinSignIn(`/j/${room.replace(/-/g, '').toUpperCase()}`, 'alice');
    expect(upper.landed.href).toBe(`${gateway.url}/j/${room}`);

    // Anything that is not a room code is refused before any sign-in, and no Location is given.
    for (const path of ['/j/https%3A%2F%2Fevil.example', '/j/%2F%2Fevil.example', '/j//evil.example', '/j/%5Cevil.example', `/j/${room}/..%2F..%2Fevil.example`, '/j/evil.example%23']) {
      const answer = await open(path);
      expect({ path, location: answer.location, client: answer.status >= 400 && answer.status < 500 }).toEqual({ path, location: null, client: true });
    }

    // The provider is asked with the gateway's own callback, PKCE (S256), and a fresh state and nonce each time.
    const [a, b] = [await open(`/j/${room}`), await open(`/j/${room}`)];
    const [qa, qb] = [new URL(a.location!).searchParams, new URL(b.location!).searchParams];
    expect(qa.get('redirect_uri')).toBe(`${gateway.url}/auth/callback`);
    expect(qa.get('code_challenge_method')).toBe('S256');
    expect(qa.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const p of ['state', 'nonce', 'code_challenge']) expect(qa.get(p)).not.toBe(qb.get(p));
    expect(a.setCookie).toEqual([expect.stringMatching(/^visio_login_[A-Za-z0-9_-]{16}=.*; Path=\/auth\/callback; HttpOnly; SameSite=Lax$/)]);
    expect(a.location).not.toContain(room);
  });

  it('keeps the state checks: a callback in another browser, a replayed callback, a refused consent: no session', async () => {
    const room = await createRoom(await bearer('bob'), 'Réunion');
    // Alice's browser starts; the provider's answer reaches another browser (no state cookie there): refused.
    const alice = new TestUserAgent();
    const start = await alice.request(`${gateway.url}/j/${room}`);
    const authorize = start.headers.get('location')!;
    const elsewhere = await new TestUserAgent().signIn(authorize, 'alice', (u) => u.origin === gateway.url && u.pathname === '/auth/callback');
    const foreignBrowser = await open(`${elsewhere.pathname}${elsewhere.search}`);
    expect(foreignBrowser.status).toBe(400);
    expect(foreignBrowser.body).toContain('Demande de connexion expirée');
    expect(foreignBrowser.setCookie.some((c) => c.startsWith(`${COOKIE}=`))).toBe(false);

    // Completed once in the right browser; the same answer again (even with the state cookie) is refused.
    const done = await joinSignIn(`/j/${room}`, 'alice');
    expect(done.session).toBeDefined();
    const agent = new TestUserAgent();
    const again = await agent.request(`${gateway.url}/j/${room}`);
    const state = new URL(again.headers.get('location')!).searchParams.get('state')!;
    const stateCookie = again.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await agent.signIn(again.headers.get('location')!, 'alice', (u) => u.origin === gateway.url && u.pathname === '/auth/callback');
    const first = await fetch(`${gateway.url}/auth/callback${callback.search}`, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`${gateway.url}/j/${room}`);
    const replay = await fetch(`${gateway.url}/auth/callback${callback.search}`, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(replay.status).toBe(400);
    expect(replay.headers.getSetCookie().some((c) => c.startsWith(`${COOKIE}=`))).toBe(false);
    expect(callback.searchParams.get('state')).toBe(state);

    // The agent refuses consent at the provider: a page says so and how to try again; no session.
    const refusing = new TestUserAgent();
    const refusal = await refusing.signIn(`${gateway.url}/j/${room}`, 'alice', (u) => u.origin === gateway.url && u.pathname === '/auth/callback', { consent: false });
    const page = await refusing.request(refusal.href);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('Connexion impossible');
    expect(html).toContain('ouvrez de nouveau le lien de la réunion');
    expect(refusing.jar.get(new URL(gateway.url).host)?.has(COOKIE) ?? false).toBe(false);
  });

  it('a bearer token works as before; unknown codes answer 404 after sign-in, bad codes 400 before', async () => {
    const bob = await bearer('bob');
    const room = await createRoom(bob, 'Réunion');
    const direct = await open(`/j/${room}`, undefined, { authorization: `Bearer ${bob}` });
    expect(direct.status).toBe(302);
    expect((await liveKitClaims(direct.location!)).sub).toBe('bob');
    expect(direct.setCookie).toEqual([]);
    // A bad bearer token is a 401, not a sign-in redirect, even alongside a valid session cookie.
    const { session } = await joinSignIn(`/j/${room}`, 'alice');
    const bad = await open(`/j/${room}`, session, { authorization: 'Bearer not-a-token' });
    expect(bad.status).toBe(401);
    expect(bad.type).toBe(PROBLEM_CONTENT_TYPE);

    // An unknown code: signed out, first the sign-in; signed in, the usual not-found problem.
    expect(toProvider((await open('/j/zzz-zzzz-zzz')).location)).toBe(true);
    const { landed, agent } = await joinSignIn('/j/zzz-zzzz-zzz', 'alice');
    expect(landed.pathname).toBe('/j/zzz-zzzz-zzz');
    const missing = await agent.request(landed.href);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(((await missing.json()) as { detail: string }).detail).toBe('No room with this code: check the link in the invitation.');
    const malformed = await open('/j/not-a-code');
    expect(malformed.status).toBe(400);
    expect(malformed.location).toBeNull();
  });

  it('behind https: the cookie is __Host-, Secure, with the configured lifetime, and the gateway reads it back', async () => {
    const agent = new TestUserAgent();
    const callback = await agent.signIn(`${httpsGateway.url}/j/abc-defg-hij`, 'alice', (u) => u.origin === HTTPS_PUBLIC_URL);
    expect(callback.pathname).toBe('/auth/callback');
    // The proxy would hand the provider's answer to the process: the same request, on loopback.
    const back = await agent.request(`${httpsGateway.url}/auth/callback${callback.search}`);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${HTTPS_PUBLIC_URL}/j/abc-defg-hij`);
    const set = back.headers.getSetCookie().find((c) => c.startsWith('__Host-visio_join='))!;
    expect(set).toMatch(/^__Host-visio_join=eyJ[\w-]+\.[\w-]+\.[\w-]+; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const value = set.split(';')[0]!.slice('__Host-visio_join='.length);
    seen.add(value);
    expect(decodeJwt(value)).toMatchObject({ iss: HTTPS_PUBLIC_URL, aud: 'visio-join', sub: 'alice' });
    // Authenticated: the room is unknown on this instance (404), no new sign-in.
    expect((await open('/j/abc-defg-hij', undefined, { cookie: `__Host-visio_join=${value}` }, httpsGateway)).status).toBe(404);
    // The same value under the plain name is not read there.
    expect(toProvider((await open('/j/abc-defg-hij', value, {}, httpsGateway)).location)).toBe(true);
  });
});

it('the gateways logged every sign-in without a cookie, token, code or secret (runs last)', () => {
  for (const gw of [gateway, httpsGateway]) {
    const { stdout, stderr } = gw.output();
    expect(stdout).toContain('"clientId":"join"');
    expect(leaks(stdout.split('\n').concat(stderr.split('\n')), seen)).toEqual([]);
    expect(stdout).not.toMatch(/visio_join=|token=|[?&]code=|[?&]state=/);
  }
});
