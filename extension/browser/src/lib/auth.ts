/**
 * Sign-in state. Local single-user mode (GET /v1/config → auth.mode `local`) needs no sign-in: the gateway
 * acts as one agent. For `oidc` gateways, tokens live in storage.session (memory only, gone when the
 * browser closes) and are handed to the shared client as its TokenSource.
 *
 * Seam: the gateway's sign-in routes (issue 3: GET /auth/login with PKCE → one-time code → POST /auth/token,
 * refresh tokens) are not merged yet. `signIn()` therefore reports that sign-in is unavailable instead of
 * pretending; once the routes exist it becomes identity.launchWebAuthFlow against `config.auth.loginUrl`,
 * storing the tokens with `storeTokens()`. Nothing else in the extension changes.
 */
import type { TokenSource } from '@visio/shared/client';
import type { GatewayConfig } from '@visio/shared/contract';
import browser from './browser.js';

interface Tokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

const KEY = 'tokens';

// storage.session exists in Chromium 102+ and Firefox 115+; without it, tokens are simply not kept.
function sessionArea(): typeof browser.storage.local | null {
  return (browser.storage as unknown as { session?: typeof browser.storage.local }).session ?? null;
}

async function readTokens(): Promise<Tokens | null> {
  const area = sessionArea();
  if (!area) return null;
  const value = (await area.get(KEY))[KEY] as Tokens | undefined;
  return value && typeof value.accessToken === 'string' ? value : null;
}

export async function storeTokens(tokens: Tokens): Promise<void> {
  await sessionArea()?.set({ [KEY]: tokens });
}

export const tokenSource: TokenSource = {
  async getAccessToken() {
    const tokens = await readTokens();
    if (!tokens) return null;
    return tokens.expiresAt !== undefined && tokens.expiresAt <= Date.now() ? null : tokens.accessToken;
  },
};

export type AuthState =
  | { mode: 'local' }
  | { mode: 'oidc'; signedIn: boolean; signInAvailable: boolean };

export async function authState(config: GatewayConfig): Promise<AuthState> {
  if (config.auth.mode === 'local') return { mode: 'local' };
  return { mode: 'oidc', signedIn: (await tokenSource.getAccessToken()) !== null, signInAvailable: false };
}

export class SignInUnavailableError extends Error {
  override readonly name = 'SignInUnavailableError';
}

export async function signIn(_config: GatewayConfig): Promise<never> {
  throw new SignInUnavailableError('the gateway sign-in routes are not available yet');
}

export async function signOut(): Promise<void> {
  await sessionArea()?.remove(KEY);
}
