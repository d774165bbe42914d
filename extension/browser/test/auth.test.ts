/**
 * The background's sign-in seam without a browser: the WebExtension API is replaced by a double holding
 * storage.session and identity, so the rule can be seen failing closed: a /v1/config naming another origin
 * for the sign-in routes opens no window and sends nothing there.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayConfig } from '@visio/shared/contract';
import { SignInError } from '@visio/shared/sign-in';

const launched: string[] = [];
const session = new Map<string, unknown>();
vi.mock('webextension-polyfill', () => ({
  default: {
    identity: {
      getRedirectURL: () => 'https://abcdefghijklmnop.chromiumapp.org/',
      launchWebAuthFlow: async (details: { url: string }) => {
        launched.push(details.url);
        throw new Error('The user did not approve access.');
      },
    },
    storage: {
      session: {
        get: async (key: string) => (session.has(key) ? { [key]: session.get(key) } : {}),
        set: async (items: Record<string, unknown>) => void Object.entries(items).forEach(([k, v]) => void session.set(k, v)),
        remove: async (key: string) => void session.delete(key),
      },
    },
  },
}));

const { authState, signIn } = await import('../src/lib/auth.ts');

const GATEWAY = 'https://gw.example.gouv.fr';
const config = (auth: Partial<GatewayConfig['auth']>) => ({ instanceName: 'Visio', instanceUrl: 'https://visio.numerique.gouv.fr', auth: { mode: 'oidc', ...auth } }) as GatewayConfig;

beforeEach(() => {
  launched.length = 0;
  session.clear();
});

describe('sign-in routes announced by the gateway', () => {
  it.each([{ loginUrl: 'https://evil.example/auth/login' }, { tokenUrl: 'https://evil.example/auth/token' }, { logoutUrl: 'https://gw.example.gouv.fr.evil.example/auth/logout' }])(
    'refuses a config naming another origin (%o): no window opens',
    async (auth) => {
      const refused = signIn(GATEWAY, config(auth), 'fr');
      await expect(refused).rejects.toThrow(SignInError);
      await expect(refused).rejects.toThrow(/another origin/);
      expect(launched).toEqual([]);
    },
  );

  it('opens the gateway’s own login page otherwise', async () => {
    await expect(signIn(GATEWAY, config({ loginUrl: `${GATEWAY}/auth/login` }), 'fr')).rejects.toMatchObject({ kind: 'cancelled' });
    expect(launched.map((url) => new URL(url).origin + new URL(url).pathname)).toEqual([`${GATEWAY}/auth/login`]);
  });

  it('counts as signed in only with tokens it wrote', async () => {
    session.set('tokens', { accessToken: 'a', refreshToken: 'r' });
    expect(await authState(config({}))).toEqual({ mode: 'oidc', signedIn: false });
    session.set('tokens', { accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    expect(await authState(config({}))).toEqual({ mode: 'oidc', signedIn: true });
  });
});
