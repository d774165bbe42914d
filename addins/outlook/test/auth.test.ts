/** The task pane's sign-in seam without a browser: Office's dialog error codes and the callback message check. */
import { describe, expect, it } from 'vitest';
import { describeError } from '@visio/shared/client';
import { SignInError } from '@visio/shared/sign-in';
import { keyValueTokenStorage, officeDialogError, outlookSignIn, parseDialogMessage } from '../src/auth.ts';

describe('Office dialog errors read as sign-in errors', () => {
  it('maps each documented code to what the agent can do about it', () => {
    const kinds = Object.fromEntries([12002, 12003, 12004, 12005, 12006, 12007, 12009, 12011, 5001].map((code) => [code, officeDialogError(code).kind]));
    expect(kinds).toEqual({ 12002: 'network', 12003: 'failed', 12004: 'failed', 12005: 'failed', 12006: 'cancelled', 12007: 'blocked', 12009: 'cancelled', 12011: 'blocked', 5001: 'failed' });
    expect(officeDialogError(undefined).kind).toBe('failed');
  });

  it('gives the task pane a sentence, never the code', () => {
    expect(describeError(officeDialogError(12006), 'fr')).toBe('Connexion annulée.');
    expect(describeError(officeDialogError(12006), 'en')).toBe('Sign-in cancelled.');
    for (const code of [12002, 12004, 12007]) expect(describeError(officeDialogError(code), 'fr')).not.toMatch(/\d{4}/);
  });
});

describe('the callback page’s message', () => {
  const redirect = 'https://gw.example.gouv.fr/outlook/auth-callback.html';
  it('is accepted only as the callback page’s own URL', () => {
    expect(parseDialogMessage(`${redirect}?code=c&state=s`, redirect)).toBe(`${redirect}?code=c&state=s`);
    expect(parseDialogMessage('https://evil.example/outlook/auth-callback.html?code=c', redirect)).toBeNull();
    expect(parseDialogMessage('https://gw.example.gouv.fr/other.html?code=c', redirect)).toBeNull();
    expect(parseDialogMessage('not a url', redirect)).toBeNull();
    expect(parseDialogMessage(`${redirect}?${'x'.repeat(5000)}`, redirect)).toBeNull();
  });
});

describe('the sign-in routes from /v1/config', () => {
  const gateway = 'https://gw.example.gouv.fr';
  it('refuses a config naming another origin: the tokens would go there', () => {
    for (const auth of [{ loginUrl: 'https://evil.example/auth/login' }, { tokenUrl: 'https://evil.example/auth/token' }, { logoutUrl: '//evil.example/auth/logout' }]) {
      expect(() => outlookSignIn(gateway, null, { mode: 'oidc', ...auth })).toThrow(SignInError);
      expect(() => outlookSignIn(gateway, null, { mode: 'oidc', ...auth })).toThrow(/another origin/);
    }
    expect(outlookSignIn(gateway, null, { mode: 'oidc', loginUrl: `${gateway}/auth/login` })).toBeTruthy();
  });

  it('reads back only tokens it wrote', async () => {
    const values = new Map<string, string>();
    const kv = { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v), removeItem: (k: string) => void values.delete(k) };
    const storage = keyValueTokenStorage(kv);
    await storage.save({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    expect(await storage.load()).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    for (const raw of ['{"accessToken":"a","refreshToken":"r"}', 'not json', 'null', '{"accessToken":1,"refreshToken":"r","expiresAt":1}']) {
      values.set('visio.tokens', raw);
      expect(await storage.load()).toBeNull();
    }
  });
});
