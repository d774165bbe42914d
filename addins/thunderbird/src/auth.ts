/**
 * Sign-in to the gateway. In local single-user mode (`auth.mode === 'local'` in GET /v1/config) no token
 * is needed. In `oidc` mode the add-on opens the gateway's login page with identity.launchWebAuthFlow and
 * reads `access_token` / `expires_in` from the fragment of the redirect (the gateway's sign-in, issue 3,
 * owns the exact routes: `auth.loginUrl` from /v1/config is used as given, with `redirect_uri` added).
 * Tokens stay in storage.local, never in logs.
 */
import type { TokenSource } from '@visio/shared/client';
import type { GatewayConfig } from '@visio/shared/contract';
import type { Messenger } from './messenger.js';

interface StoredToken {
  accessToken: string;
  expiresAt: number;
}

const KEY = 'authToken';

export function createTokenSource(messenger: Pick<Messenger, 'storage'>, now: () => number = Date.now): TokenSource & { clear(): Promise<void> } {
  return {
    async getAccessToken() {
      const { [KEY]: token } = await messenger.storage.local.get(KEY);
      const t = token as StoredToken | undefined;
      if (!t || typeof t.accessToken !== 'string' || t.expiresAt <= now()) return null;
      return t.accessToken;
    },
    async clear() {
      await messenger.storage.local.set({ [KEY]: null });
    },
  };
}

export async function signIn(messenger: Pick<Messenger, 'storage' | 'identity'>, config: GatewayConfig, gatewayUrl: string, now: () => number = Date.now): Promise<'local' | 'signed-in'> {
  if (config.auth.mode === 'local') return 'local';
  if (!messenger.identity || !config.auth.loginUrl) throw new Error('sign-in is not available');
  const login = new URL(config.auth.loginUrl, gatewayUrl);
  // Only the gateway itself may serve the login page the token comes back from.
  if (login.origin !== new URL(gatewayUrl).origin) throw new Error('the gateway announced a login page on another origin');
  login.searchParams.set('redirect_uri', messenger.identity.getRedirectURL());
  login.searchParams.set('client', 'thunderbird');
  const redirect = await messenger.identity.launchWebAuthFlow({ url: login.toString(), interactive: true });
  const params = new URLSearchParams(new URL(redirect).hash.slice(1));
  const accessToken = params.get('access_token');
  const expiresIn = Number(params.get('expires_in') ?? '3600');
  if (!accessToken) throw new Error('the gateway returned no token');
  await messenger.storage.local.set({ [KEY]: { accessToken, expiresAt: now() + Math.max(60, expiresIn) * 1000 } satisfies StoredToken });
  return 'signed-in';
}
