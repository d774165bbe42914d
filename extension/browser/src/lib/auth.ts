/**
 * Sign-in state. Local single-user mode (GET /v1/config → auth.mode `local`) needs no sign-in: the gateway
 * acts as one agent. For `oidc` gateways, the shared sign-in helper (PKCE, state check, code exchange,
 * refresh, sign-out) runs with `identity.launchWebAuthFlow` and the redirect URI the browser gives this
 * extension (`identity.getRedirectURL()`, registered at the gateway for client `browser`). Tokens live in
 * storage.session: memory only, gone when the browser closes, never readable by content scripts.
 */
import type { TokenSource } from '@visio/shared/client';
import type { GatewayConfig } from '@visio/shared/contract';
import { createSignInSession, readStoredTokens, signInEndpoints, signInWithWebAuthFlow, type SignInSession, type TokenStorage } from '@visio/shared/sign-in';
import type { Lang } from '@visio/shared/types';
import browser, { sessionArea } from './browser.js';

/** The gateway's client id for this extension (VISIO_CLIENTS), Chromium and Firefox alike. */
export const CLIENT_ID = 'browser';
const KEY = 'tokens';

// Without storage.session, tokens are simply not kept.

const storage: TokenStorage = {
  async load() {
    const area = sessionArea();
    if (!area) return null;
    return readStoredTokens((await area.get(KEY))[KEY]);
  },
  async save(tokens) {
    const area = sessionArea();
    if (!area) return;
    if (tokens) await area.set({ [KEY]: tokens });
    else await area.remove(KEY);
  },
};

export function redirectUri(): string {
  return browser.identity.getRedirectURL();
}

export function signInSession(gatewayUrl: string, config?: GatewayConfig): SignInSession {
  // Endpoints on another origin than the gateway's are refused (signInEndpoints).
  return createSignInSession({ endpoints: signInEndpoints(gatewayUrl, config?.auth), clientId: CLIENT_ID, redirectUri: redirectUri(), storage });
}

/** For `createVisioClient({ auth })`: fresh access tokens (refreshed before expiry and after a 401). */
export function tokenSource(gatewayUrl: string): TokenSource {
  const session = signInSession(gatewayUrl);
  return { getAccessToken: () => session.getAccessToken(), refresh: () => session.refresh() };
}

export type AuthState = { mode: 'local' } | { mode: 'oidc'; signedIn: boolean };

export async function authState(config: GatewayConfig): Promise<AuthState> {
  if (config.auth.mode === 'local') return { mode: 'local' };
  return { mode: 'oidc', signedIn: (await storage.load()) !== null };
}

/**
 * Runs in the background: a popup closes as soon as the sign-in window takes the focus, which would lose the
 * pending state. Throws a SignInError: `cancelled` when the agent closes the window (the browser's own English
 * text is classified by webAuthFlowError), else state mismatch, denied, refused code…
 */
export async function signIn(gatewayUrl: string, config: GatewayConfig, lang: Lang): Promise<void> {
  await signInWithWebAuthFlow(signInSession(gatewayUrl, config), (details) => browser.identity.launchWebAuthFlow(details), lang);
}

export async function signOut(gatewayUrl: string, config?: GatewayConfig): Promise<void> {
  await signInSession(gatewayUrl, config).signOut();
}
