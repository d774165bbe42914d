/**
 * Sign-in to the gateway. In local single-user mode (`auth.mode === 'local'` in GET /v1/config) no token is
 * needed. In `oidc` mode the add-on runs the gateway's sign-in (authorization code + PKCE, done by
 * @visio/shared/sign-in): identity.launchWebAuthFlow shows the login page and returns the redirect to
 * `identity.getRedirectURL()` (registered at the gateway as client `thunderbird`); the code is exchanged at the
 * gateway's token URL. Access and refresh tokens stay in storage.local, tied to the gateway they came from,
 * never in logs; the access token is refreshed before it expires.
 */
import { createVisioClient, describeError, type TokenSource } from '@visio/shared/client';
import type { GatewayConfig } from '@visio/shared/contract';
import {
  createSignInSession,
  isSignInCancelled,
  readStoredTokens,
  SignInError,
  signInEndpoints,
  signInWithWebAuthFlow,
  type SignInSession,
  type StoredTokens,
  type TokenStorage,
} from '@visio/shared/sign-in';
import { langFor } from '@visio/shared/lang';
import type { Messenger } from './messenger.js';
import { readSettings } from './settings.js';

export const CLIENT_ID = 'thunderbird';
/** Where the tokens live in storage.local (the options page watches it). */
export const AUTH_STORAGE_KEY = 'authTokens';
const KEY = AUTH_STORAGE_KEY;

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
  const v = readStoredTokens(value) as Partial<StoredAuth> | null;
  return v !== null && typeof v.gatewayUrl === 'string' && typeof v.tokenUrl === 'string' && typeof v.logoutUrl === 'string';
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
  const urls = isStoredAuth(stored) && stored.gatewayUrl === gatewayUrl ? { loginUrl: '', tokenUrl: stored.tokenUrl, logoutUrl: stored.logoutUrl } : signInEndpoints(gatewayUrl);
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
  if (!messenger.identity) throw new SignInError('the identity API is not available', 'failed');
  const { identity } = messenger;
  // Thunderbird rejects with "User cancelled or denied access." when the agent closes the window. Endpoints
  // on another origin than the gateway's are refused (signInEndpoints): a token never goes elsewhere.
  await signInWithWebAuthFlow(session(messenger, gatewayUrl, signInEndpoints(gatewayUrl, config.auth), options), (details) => identity.launchWebAuthFlow(details), options.lang);
  return 'signed-in';
}

/** `lang`: the message's language (the add-on's), which may differ from the options page's (Thunderbird's). */
export type SignInAnswer = { ok: true; result: 'local' | 'signed-in' } | { ok: false; message: string; lang: 'fr' | 'en'; cancelled: boolean };

/**
 * The options page's "Se connecter", run by the background: signs in to the gateway in the settings and says
 * how it ended with describeError's sentence in the add-on's language (a closed window is `cancelled`).
 */
const uiLang = (messenger: AuthMessenger): 'fr' | 'en' => langFor(messenger.i18n.getUILanguage());

export async function signInAnswer(messenger: AuthMessenger, options: AuthOptions = {}): Promise<SignInAnswer> {
  const settings = await readSettings(messenger);
  if (!settings.gatewayUrl) return { ok: false, message: messenger.i18n.getMessage('errorNoGateway'), lang: uiLang(messenger), cancelled: false };
  try {
    const client = createVisioClient({ baseUrl: settings.gatewayUrl, clientName: 'thunderbird', ...(options.fetch ? { fetch: options.fetch } : {}) });
    return { ok: true, result: await signIn(messenger, await client.getConfig(), settings.gatewayUrl, { ...options, lang: settings.lang }) };
  } catch (error) {
    return { ok: false, message: describeError(error, settings.lang), lang: settings.lang, cancelled: isSignInCancelled(error) };
  }
}
