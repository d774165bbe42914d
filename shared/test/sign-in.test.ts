import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beginSignIn, createPkce, memoryTokenStorage, pkceChallenge, readRedirect, readStoredTokens, SignInError, signInEndpoints } from '../src/sign-in.ts';

const endpoints = { loginUrl: 'https://gateway.example.gouv.fr/auth/login', tokenUrl: 'https://gateway.example.gouv.fr/auth/token' };

describe('PKCE (RFC 7636, S256) with WebCrypto', () => {
  it('makes 43-character verifiers whose challenge matches an independent SHA-256', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { verifier, challenge } = await createPkce();
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
      seen.add(verifier);
    }
    expect(seen.size).toBe(20);
  });

  it('computes the challenge of any verifier as Node does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/), async (verifier) => {
        expect(await pkceChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
      }),
    );
  });
});

describe('sign-in request and answer', () => {
  it('builds the login URL with every parameter encoded', async () => {
    const pending = await beginSignIn({ endpoints, clientId: 'outlook', redirectUri: 'https://gw.example.gouv.fr/cb?x=1&y=é' }, 'en');
    const url = new URL(pending.url);
    expect(url.origin + url.pathname).toBe(endpoints.loginUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'outlook',
      redirect_uri: 'https://gw.example.gouv.fr/cb?x=1&y=é',
      code_challenge: await pkceChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      lang: 'en',
    });
  });

  it('reads the code only when the state is the one it sent', async () => {
    const pending = await beginSignIn({ endpoints, clientId: 'outlook', redirectUri: 'https://a.example/cb' });
    expect(readRedirect(`https://a.example/cb?code=visio_ac_1&state=${pending.state}`, pending)).toBe('visio_ac_1');
    const attempt = (url: string) => {
      try {
        readRedirect(url, pending);
      } catch (error) {
        return error instanceof SignInError ? error.kind : 'other';
      }
      return 'accepted';
    };
    expect(attempt(`https://a.example/cb?code=visio_ac_1&state=${pending.state}x`)).toBe('state-mismatch');
    expect(attempt('https://a.example/cb?code=visio_ac_1')).toBe('state-mismatch');
    expect(attempt(`https://a.example/cb?error=access_denied&state=${pending.state}`)).toBe('denied');
    expect(attempt(`https://a.example/cb?error=server_error&state=${pending.state}`)).toBe('failed');
    expect(attempt(`https://a.example/cb?state=${pending.state}`)).toBe('failed');
  });

  it('keeps tokens in a pluggable storage', async () => {
    const storage = memoryTokenStorage();
    expect(await storage.load()).toBeNull();
    await storage.save({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    expect(await storage.load()).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    await storage.save(null);
    expect(await storage.load()).toBeNull();
  });
});

describe('signInEndpoints', () => {
  const gateway = 'https://gw.example.gouv.fr/visio/';
  it('takes the routes /v1/config announced, absolute or relative, else the documented paths under the gateway', () => {
    expect(signInEndpoints(gateway)).toEqual({
      loginUrl: 'https://gw.example.gouv.fr/visio/auth/login',
      tokenUrl: 'https://gw.example.gouv.fr/visio/auth/token',
      logoutUrl: 'https://gw.example.gouv.fr/visio/auth/logout',
    });
    expect(signInEndpoints(gateway, { loginUrl: 'https://gw.example.gouv.fr/login', tokenUrl: 'token' }).loginUrl).toBe('https://gw.example.gouv.fr/login');
    expect(signInEndpoints(gateway, { tokenUrl: 'token' }).tokenUrl).toBe('https://gw.example.gouv.fr/visio/token');
  });

  it.each(['https://evil.example/auth/login', '//evil.example/auth/login', 'http://gw.example.gouv.fr/auth/login', 'https://gw.example.gouv.fr:8443/auth/login'])(
    'refuses %s: another origin than the gateway’s',
    (loginUrl) => {
      expect(() => signInEndpoints(gateway, { loginUrl })).toThrow(SignInError);
      expect(() => signInEndpoints(gateway, { loginUrl })).toThrow(/another origin/);
    },
  );
});

describe('readStoredTokens', () => {
  it('gives back only what a session stored', () => {
    expect(readStoredTokens({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 })).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    for (const bad of [null, undefined, 'a', {}, { accessToken: 'a', refreshToken: 'r' }, { accessToken: 'a', refreshToken: 1, expiresAt: 1 }]) expect(readStoredTokens(bad)).toBeNull();
  });
});
