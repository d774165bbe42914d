/**
 * Sign-in to the gateway. In local single-user mode (`auth.mode === 'local'` in GET /v1/config) no token is
 * needed. In `oidc` mode the add-on runs the gateway's sign-in (authorization code + PKCE, done by
 * @visio/shared/sign-in): identity.launchWebAuthFlow shows the login page and returns the redirect to
 * `identity.getRedirectURL()` (registered at the gateway as client `thunderbird`); the code is exchanged at the
 * gateway's token URL. Access and refresh tokens stay in storage.local, tied to the gateway they came from,
 * never in logs; the access token is refreshed before it expires.
 */
import type { TokenSource } from '@visio/shared/client';
import type { GatewayConfig } from '@visio/shared/contract';
import { createSignInSession, type SignInSession, type StoredTokens, type TokenStorage } from '@visio/shared/sign-in';
import type { Messenger } from './messenger.js';
import { readSettings } from './settings.js';

export const CLIENT_ID = 'thunderbird';
const KEY = 'authTokens';

interface StoredAuth extends StoredTokens {
  gatewayUrl: string;
  tokenUrl: string;
  logoutUrl: string;
}

export interface AuthOptions {
  fetch?: typeof fetch;
  now?: () => number;
}

type AuthMessenger = Pick<Messenger, 'storage' | 'i18n' | 'identity'>;

function isStoredAuth(value: unknown): value is StoredAuth {
  const v = value as Partial<StoredAuth> | null | undefined;
  return Boolean(v) && typeof v!.accessToken === 'string' && typeof v!.refreshToken === 'string' && typeof v!.expiresAt === 'number' && typeof v!.gatewayUrl === 'string' && typeof v!.tokenUrl === 'string' && typeof v!.logoutUrl === 'string';
}

/** Endpoints the gateway announced, each on the gateway's own origin (a token never goes elsewhere). */
function endpoints(gatewayUrl: string, auth?: GatewayConfig['auth']): { loginUrl: string; tokenUrl: string; logoutUrl: string } {
  const origin = new URL(gatewayUrl).origin;
  const at = (path: string | undefined, fallback: string) => {
    const url = new URL(path ?? fallback, gatewayUrl);
    if (url.origin !== origin) throw new Error('the gateway announced a sign-in page on another origin');
    return url.href;
  };
  return { loginUrl: at(auth?.loginUrl, '/auth/login'), tokenUrl: at(auth?.tokenUrl, '/auth/token'), logoutUrl: at(auth?.logoutUrl, '/auth/logout') };
}

function session(messenger: AuthMessenger, gatewayUrl: string, urls: { loginUrl: string; tokenUrl: string; logoutUrl: string }, options: AuthOptions): SignInSession {
  const storage: TokenStorage = {
    async load() {
      const { [KEY]: stored } = await messenger.storage.local.get(KEY);
      // Tokens from another gateway (the setting changed) are never sent.
      return isStoredAuth(stored) && stored.gatewayUrl === gatewayUrl ? stored : null;
    },
    async save(tokens) {
      await messenger.storage.local.set({ [KEY]: tokens ? ({ ...tokens, gatewayUrl, tokenUrl: urls.tokenUrl, logoutUrl: urls.logoutUrl } satisfies StoredAuth) : null });
    },
  };
  return createSignInSession({
    endpoints: urls,
    clientId: CLIENT_ID,
    redirectUri: messenger.identity?.getRedirectURL() ?? '',
    storage,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** The session for the gateway in the settings, with the endpoints stored at sign-in. */
async function currentSession(messenger: AuthMessenger, options: AuthOptions): Promise<SignInSession | null> {
  const { gatewayUrl } = await readSettings(messenger);
  if (!gatewayUrl) return null;
  const { [KEY]: stored } = await messenger.storage.local.get(KEY);
  const urls = isStoredAuth(stored) && stored.gatewayUrl === gatewayUrl ? { loginUrl: '', tokenUrl: stored.tokenUrl, logoutUrl: stored.logoutUrl } : endpoints(gatewayUrl);
  return session(messenger, gatewayUrl, urls, options);
}

export function createTokenSource(messenger: AuthMessenger, options: AuthOptions = {}): TokenSource & { clear(): Promise<void> } {
  return {
    async getAccessToken() {
      return (await (await currentSession(messenger, options))?.getAccessToken()) ?? null;
    },
    /** Signs out: forgets the tokens and ends the session at the gateway. */
    async clear() {
      const current = await currentSession(messenger, options);
      if (current) await current.signOut();
      else await messenger.storage.local.set({ [KEY]: null });
    },
  };
}

export async function signIn(messenger: AuthMessenger, config: GatewayConfig, gatewayUrl: string, options: AuthOptions & { lang?: 'fr' | 'en' } = {}): Promise<'local' | 'signed-in'> {
  if (config.auth.mode === 'local') return 'local';
  if (!messenger.identity) throw new Error('sign-in is not available');
  const current = session(messenger, gatewayUrl, endpoints(gatewayUrl, config.auth), options);
  const pending = await current.beginSignIn(options.lang);
  const redirect = await messenger.identity.launchWebAuthFlow({ url: pending.url, interactive: true });
  await current.completeSignIn(redirect, pending);
  return 'signed-in';
}
