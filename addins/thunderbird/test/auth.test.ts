/**
 * Sign-in against the gateway process in OIDC mode and a real OpenID provider (login and consent pages). The
 * add-on's auth code (src/auth.ts over @visio/shared/sign-in) runs as is, with the typed fake `messenger`:
 * identity.launchWebAuthFlow is played by a cookie-keeping HTTP user agent that follows the redirects until
 * the add-on's redirect URL, as Thunderbird's auth window does. The code exchange, refresh and sign-out hit
 * the real /auth/token and /auth/logout.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createVisioClient } from '@visio/shared/client';
import type { GatewayConfig } from '@visio/shared/contract';
import type { GatewayProcess } from '@visio/testing/gateway-process';
import { freePort, TestUserAgent, type TestOidcProvider } from '@visio/testing/oidc-provider';
import { startSignedInGateway, type SignedInGateway } from '@visio/testing/signed-in-gateway';
import { CLIENT_ID, createTokenSource, signIn, signInAnswer } from '../src/auth.ts';
import { createFakeMessenger } from './fake-messenger.ts';

const REDIRECT = 'https://visio-test.extensions.allizom.org/';
let signedIn: SignedInGateway<GatewayProcess>;
let op: TestOidcProvider;
let gateway: GatewayProcess;
let config: GatewayConfig;

beforeAll(async () => {
  signedIn = await startSignedInGateway({ clients: { [CLIENT_ID]: [REDIRECT] }, env: { LOG_LEVEL: 'info' } });
  ({ op, gateway } = signedIn);
  config = await createVisioClient({ baseUrl: gateway.url }).getConfig();
}, 40_000);

afterAll(async () => {
  await signedIn?.close();
});

function messengerFor(login: string, flows: string[] = []) {
  const fake = createFakeMessenger({ local: { gatewayUrl: gateway.url } });
  const agent = new TestUserAgent();
  const identity = {
    getRedirectURL: () => REDIRECT,
    async launchWebAuthFlow({ url }: { url: string; interactive?: boolean }) {
      flows.push(url);
      return (await agent.signIn(url, login, (u) => u.href.startsWith(REDIRECT))).href;
    },
  };
  return { fake, messenger: { ...fake.messenger, identity } };
}

const me = async (token: string | null) => (await fetch(`${gateway.url}/v1/me`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json() as Promise<{ email?: string }>;

async function refreshWith(refreshToken: string): Promise<number> {
  const r = await fetch(`${gateway.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }),
  });
  return r.status;
}

describe('Thunderbird sign-in against the gateway in OIDC mode', () => {
  test('the gateway announces OIDC; code exchanged at the real /auth/token; rooms created as alice', async () => {
    expect(config.auth.mode).toBe('oidc');
    const flows: string[] = [];
    const { fake, messenger } = messengerFor('alice', flows);
    expect(await signIn(messenger, config, gateway.url, { lang: 'fr' })).toBe('signed-in');
    const login = new URL(flows[0]!);
    expect(`${login.origin}${login.pathname}`).toBe(`${gateway.url}/auth/login`);
    expect(login.searchParams.get('client_id')).toBe('thunderbird');
    expect(login.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(login.searchParams.get('code_challenge_method')).toBe('S256');

    const stored = fake.local.authTokens as { accessToken: string; refreshToken: string; gatewayUrl: string };
    expect(stored.gatewayUrl).toBe(gateway.url);
    const auth = createTokenSource(messenger);
    const token = await auth.getAccessToken();
    expect(token).toBe(stored.accessToken);
    expect(await me(token)).toMatchObject({ email: 'alice.martin@example.gouv.fr' });

    const client = createVisioClient({ baseUrl: gateway.url, clientName: 'thunderbird', auth });
    const room = await client.createRoom({ title: 'Réunion d’Alice' });
    expect((await client.listRooms()).items.map((r) => r.code)).toContain(room.code);
    // Without the token the gateway refuses.
    expect((await fetch(`${gateway.url}/v1/rooms/${room.code}`)).status).toBe(401);
  });

  test('an expiring access token is refreshed at the real /auth/token; the old refresh token is spent', async () => {
    const { fake, messenger } = messengerFor('bob');
    await signIn(messenger, config, gateway.url);
    const first = { ...(fake.local.authTokens as { accessToken: string; refreshToken: string; expiresAt: number }) };
    // An hour later (the clock is the add-on's; the gateway checks its own).
    const later = createTokenSource(messenger, { now: () => first.expiresAt + 1 });
    const renewed = await later.getAccessToken();
    expect(renewed).not.toBeNull();
    expect(renewed).not.toBe(first.accessToken);
    const second = fake.local.authTokens as { refreshToken: string };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await me(renewed)).toMatchObject({ email: 'bob.durand@example.gouv.fr' });
    expect(await refreshWith(first.refreshToken)).toBe(400);
  });

  test('sign-out forgets the tokens and ends the session at the gateway', async () => {
    const { fake, messenger } = messengerFor('alice');
    await signIn(messenger, config, gateway.url);
    const stored = { ...(fake.local.authTokens as { refreshToken: string }) };
    const auth = createTokenSource(messenger);
    await auth.clear();
    expect(fake.local.authTokens).toBeNull();
    expect(await auth.getAccessToken()).toBeNull();
    expect(await refreshWith(stored.refreshToken)).toBe(400);
  });

  test('a refused sign-in (no consent) stores nothing and reads in French; tokens of another gateway are never sent', async () => {
    const fake = createFakeMessenger({ local: { gatewayUrl: gateway.url } });
    const agent = new TestUserAgent();
    const messenger = {
      ...fake.messenger,
      identity: {
        getRedirectURL: () => REDIRECT,
        launchWebAuthFlow: async ({ url }: { url: string }) => (await agent.signIn(url, 'alice', (u) => u.href.startsWith(REDIRECT), { consent: false })).href,
      },
    };
    await expect(signIn(messenger, config, gateway.url)).rejects.toMatchObject({ name: 'SignInError', kind: 'denied' });
    expect(fake.local.authTokens ?? null).toBeNull();
    // What the options page shows: the French sentence, never the provider's "End-User aborted interaction".
    expect(await signInAnswer(messenger)).toEqual({
      ok: false,
      lang: 'fr',
      cancelled: false,
      message: 'Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.',
    });
    expect(fake.local.authTokens ?? null).toBeNull();

    const { fake: other, messenger: signedIn } = messengerFor('alice');
    await signIn(signedIn, config, gateway.url);
    other.local.gatewayUrl = 'https://other-gateway.example.gouv.fr';
    expect(await createTokenSource(signedIn).getAccessToken()).toBeNull();
  });

  test('the agent closes Thunderbird’s sign-in window: “Connexion annulée.”, nothing stored; English when the add-on is', async () => {
    for (const [lang, text] of [
      ['fr', 'Connexion annulée.'],
      ['en', 'Sign-in cancelled.'],
    ] as const) {
      const fake = createFakeMessenger({ local: { gatewayUrl: gateway.url, lang } });
      const agent = new TestUserAgent();
      const shown: string[] = [];
      const messenger = {
        ...fake.messenger,
        identity: {
          getRedirectURL: () => REDIRECT,
          // The window opened on the gateway's login page (its redirect to the provider), then was closed:
          // Thunderbird's toolkit rejects with this object.
          async launchWebAuthFlow({ url }: { url: string }): Promise<string> {
            const response = await agent.request(url);
            shown.push(response.headers.get('location') ?? '');
            throw { message: 'User cancelled or denied access.' };
          },
        },
      };
      expect(await signInAnswer(messenger)).toEqual({ ok: false, lang, cancelled: true, message: text });
      expect(shown[0]).toMatch(new RegExp(`^${op.issuer}/`));
      expect(fake.local.authTokens ?? null).toBeNull();
      expect(await createTokenSource(messenger).getAccessToken()).toBeNull();
    }
  });

  test('the options page’s answer: signed in; no gateway configured; gateway unreachable, in words', async () => {
    const { fake, messenger } = messengerFor('alice');
    expect(await signInAnswer(messenger)).toEqual({ ok: true, result: 'signed-in' });
    expect(fake.local.authTokens).toMatchObject({ gatewayUrl: gateway.url });
    fake.local.gatewayUrl = undefined;
    expect(await signInAnswer(messenger)).toEqual({ ok: false, lang: 'fr', cancelled: false, message: 'Aucune passerelle Visio configurée : ouvrez les options du module.' });
    // A gateway that does not answer (a closed port): the client's sentence, not a stack.
    const closed = await freePort();
    fake.local.gatewayUrl = `http://127.0.0.1:${closed}`;
    expect(await signInAnswer(messenger)).toEqual({ ok: false, lang: 'fr', cancelled: false, message: 'Impossible de joindre le service Visio. Vérifiez votre connexion et réessayez.' });
  });

  test('local mode needs no sign-in; a login page on another origin is refused', async () => {
    const { messenger } = messengerFor('alice');
    expect(await signIn(messenger, { ...config, auth: { mode: 'local' } }, gateway.url)).toBe('local');
    await expect(signIn(messenger, { ...config, auth: { mode: 'oidc', loginUrl: 'https://evil.example/login' } }, gateway.url)).rejects.toThrow(/another origin/);
  });

  test('no token in the gateway logs', () => {
    const { stdout, stderr } = gateway.output();
    expect(`${stdout}${stderr}`).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});
