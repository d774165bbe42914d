/**
 * ID token validation. A real provider never sends a bad ID token, so a hostile one is simulated here: a
 * loopback server speaking the OIDC wire format (discovery, JWKS, token, userinfo) that answers the code
 * exchange with an ID token carrying exactly one defect. Each must stop the sign-in: no code for the client.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TestUserAgent } from '@visio/testing/oidc-provider';
import { startLiveKitDouble, type LiveKitDouble } from '@visio/testing/livekit-double';
import { leaks } from './auth-harness.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

const CLIENT = { id: 'test-app', redirectUri: 'https://test-app.example/callback' };
const SECRET = 'hostile-op-client-secret-0123456789abcdef';

interface Craft {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  key?: KeyObject | 'none';
  userinfo?: Record<string, unknown>;
}

let craft: Craft = {};
let discoveryIssuer: string | undefined;
let lastNonce = '';
let issuer = '';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const op = createServer(async (req, res) => {
  const url = new URL(req.url!, issuer);
  const json = (body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/.well-known/openid-configuration') {
    return json({
      issuer: discoveryIssuer ?? issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
    });
  }
  if (url.pathname === '/jwks') return json({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
  if (url.pathname === '/userinfo') return json(craft.userinfo ?? { sub: 'mallory', email: 'mallory@example.gouv.fr' });
  if (url.pathname === '/token') {
    const t = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer, aud: 'visio-gateway', sub: 'mallory', email: 'mallory@example.gouv.fr', nonce: lastNonce, iat: t, exp: t + 300, ...craft.claims };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete (claims as Record<string, unknown>)[k];
    let idToken: string;
    if (craft.key === 'none') {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      idToken = `${enc({ alg: 'none' })}.${enc(claims)}.`;
    } else {
      idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...craft.header } as { alg: string }).sign(craft.key ?? privateKey);
    }
    return json({ access_token: 'op-access-token', token_type: 'Bearer', id_token: idToken });
  }
  res.writeHead(404).end();
});

let gw: TestGateway;
let lk: LiveKitDouble;
beforeAll(async () => {
  await new Promise<void>((resolve) => op.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(op.address() as AddressInfo).port}`;
  lk = await startLiveKitDouble();
  gw = await startTestGateway({
    PORT: String(await freePort()),
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'visio-gateway',
    OIDC_CLIENT_SECRET: SECRET,
    VISIO_CLIENTS: JSON.stringify({ [CLIENT.id]: [CLIENT.redirectUri] }),
    // Join links (LiveKit) sign in through the same relying party: their ID tokens are checked alike.
    VISIO_PROVIDER: 'livekit',
    LIVEKIT_URL: lk.url,
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_MEET_URL: 'https://meet.example.gouv.fr',
  });
});
afterAll(async () => {
  await lk?.close();
  await new Promise<void>((resolve) => op.close(() => resolve()));
});

/** Starts a sign-in, lets the "provider" answer with `craft`, and returns where the client is sent. */
async function signInWith(next: Craft, callbackExtra = ''): Promise<URL> {
  craft = next;
  const agent = new TestUserAgent();
  const start = await agent.request(
    `${gw.url}/auth/login?client_id=${CLIENT.id}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&code_challenge=${'b'.repeat(43)}&code_challenge_method=S256&state=client-state`,
  );
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin).toBe(issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${gw.url}/auth/callback`);
  lastNonce = authorize.searchParams.get('nonce')!;
  const back = await agent.request(`${gw.url}/auth/callback?code=op-code&state=${authorize.searchParams.get('state')}${callbackExtra}`);
  expect(back.status).toBe(302);
  const landed = new URL(back.headers.get('location')!);
  expect(landed.origin + landed.pathname).toBe(CLIENT.redirectUri);
  expect(landed.searchParams.get('state')).toBe('client-state');
  return landed;
}

describe('ID token validation', () => {
  it('accepts a correct ID token (the control: the cases below differ by one defect each)', async () => {
    const landed = await signInWith({});
    expect(landed.searchParams.get('code')).toMatch(/^visio_ac_/);
  });

  const t = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Craft]>([
    ['another nonce', () => ({ claims: { nonce: 'replayed-nonce' } })],
    ['no nonce', () => ({ claims: { nonce: undefined } })],
    ['another audience', () => ({ claims: { aud: 'another-client' } })],
    ['several audiences without azp naming the gateway', () => ({ claims: { aud: ['visio-gateway', 'another-client'] } })],
    ['another issuer', () => ({ claims: { iss: 'https://evil.example' } })],
    ['expired', () => ({ claims: { exp: t() - 3600, iat: t() - 7200 } })],
    ['signed with a key not in the JWKS', () => ({ key: otherKey })],
    ['unsigned (alg none)', () => ({ key: 'none' })],
    ['HS256 with the client secret as key', () => ({ key: createSecretKey(Buffer.from(SECRET)), header: { alg: 'HS256' } })],
    ['no subject', () => ({ claims: { sub: undefined } })],
    ['no email anywhere', () => ({ claims: { email: undefined }, userinfo: { sub: 'mallory' } })],
    ['userinfo about another subject', () => ({ claims: { email: undefined }, userinfo: { sub: 'alice', email: 'alice@example.gouv.fr' } })],
  ])('%s: refused, the client gets an error and no code', async (_name, make) => {
    const landed = await signInWith(make());
    expect(landed.searchParams.get('error')).toBe('server_error');
    expect(landed.searchParams.has('code')).toBe(false);
  });

  it('refuses an answer naming another issuer (RFC 9207 mix-up defence), and accepts its own', async () => {
    const mixedUp = await signInWith({}, `&iss=${encodeURIComponent('https://evil.example')}`);
    expect(mixedUp.searchParams.get('error')).toBe('server_error');
    expect(mixedUp.searchParams.has('code')).toBe(false);
    expect((await signInWith({}, `&iss=${encodeURIComponent(issuer)}`)).searchParams.get('code')).toMatch(/^visio_ac_/);
  });

  it('refuses a provider whose discovery document names another issuer: no redirect to it', async () => {
    discoveryIssuer = 'https://evil.example';
    try {
      const other = await startTestGateway({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'visio-gateway', OIDC_CLIENT_SECRET: SECRET, VISIO_CLIENTS: JSON.stringify({ [CLIENT.id]: [CLIENT.redirectUri] }) });
      const response = await other.fetch(
        `/auth/login?client_id=${CLIENT.id}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&code_challenge=${'b'.repeat(43)}&code_challenge_method=S256&state=s`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(503);
      expect(response.headers.get('location')).toBeNull();
    } finally {
      discoveryIssuer = undefined;
    }
  });

  it('takes the email from userinfo when the ID token has none (ProConnect)', async () => {
    const landed = await signInWith({ claims: { email: undefined }, userinfo: { sub: 'mallory', email: 'm@example.gouv.fr', given_name: 'Mal', usual_name: 'Lory' } });
    expect(landed.searchParams.get('code')).toMatch(/^visio_ac_/);
  });
});

describe('ID token validation for a join link (browser session)', () => {
  /** Opens a join link signed out, lets the "provider" answer with `craft`; returns the callback's answer. */
  async function joinWith(next: Craft) {
    craft = next;
    const agent = new TestUserAgent();
    const start = await agent.request(`${gw.url}/j/abc-defg-hij`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    lastNonce = authorize.searchParams.get('nonce')!;
    const back = await agent.request(`${gw.url}/auth/callback?code=op-code&state=${authorize.searchParams.get('state')}`);
    return { back, session: agent.jar.get(new URL(gw.url).host)?.get('visio_join') };
  }

  it('accepts a correct ID token (the control): a session, and back to the link', async () => {
    const { back, session } = await joinWith({});
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${gw.url}/j/abc-defg-hij`);
    expect(session).toMatch(/^eyJ/);
  });

  it.each<[string, Craft]>([
    ['another nonce', { claims: { nonce: 'replayed-nonce' } }],
    ['no nonce', { claims: { nonce: undefined } }],
    ['another audience', { claims: { aud: 'another-client' } }],
    ['signed with a key not in the JWKS', { key: otherKey }],
  ])('%s: refused with a page, no session', async (_name, next) => {
    const { back, session } = await joinWith(next);
    expect(back.status).toBe(502);
    expect(back.headers.get('location')).toBeNull();
    expect(await back.text()).toContain('Connexion impossible');
    expect(session).toBeUndefined();
  });
});

it('logged every refusal above with its reason but without a token, code or secret (runs last)', () => {
  expect(gw.logs.some((l) => l.includes('nonce does not match'))).toBe(true);
  expect(leaks(gw.logs, [SECRET, 'op-access-token', 'op-code'])).toEqual([]);
});
