/**
 * Client side of the gateway's sign-in (OAuth 2.0 authorization code + PKCE, RFC 6749/7636), shared by the
 * browser extension, the add-ins and the gateway page. Pure: WebCrypto and fetch only; where tokens live is
 * pluggable (`TokenStorage`), and how the login page is shown is the caller's (Office dialog,
 * `identity.launchWebAuthFlow`, a tab).
 */
import { SignInError } from './errors.js';
import type { TokenSource } from './types.js';

export { SignInError, type SignInErrorKind } from './errors.js';

export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms at which the access token expires. */
  expiresAt: number;
}

export interface TokenStorage {
  load(): StoredTokens | null | Promise<StoredTokens | null>;
  /** `null` forgets the tokens (signed out). */
  save(tokens: StoredTokens | null): void | Promise<void>;
}

export function memoryTokenStorage(initial: StoredTokens | null = null): TokenStorage {
  let tokens = initial;
  return {
    load: () => tokens,
    save: (t) => {
      tokens = t;
    },
  };
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636: a 43-character verifier and its S256 challenge. */
export async function createPkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomString(32);
  return { verifier, challenge: await pkceChallenge(verifier) };
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(hash));
}

/** What the caller keeps between opening the login page and reading the redirect (memory or sessionStorage). */
export interface PendingSignIn {
  url: string;
  state: string;
  verifier: string;
}

export interface SignInEndpoints {
  loginUrl: string;
  tokenUrl: string;
  logoutUrl?: string | undefined;
}

/** The gateway's sign-in routes, where /v1/config does not announce them. */
export const SIGN_IN_PATHS = { loginUrl: '/auth/login', tokenUrl: '/auth/token', logoutUrl: '/auth/logout' } as const;

/**
 * The sign-in routes of the gateway at `gatewayUrl`: those its /v1/config announced (`auth`, absolute or
 * relative), else the documented paths under the gateway's address. Each must be on the gateway's own
 * origin: a tampered or misconfigured config naming another origin would send the agent's tokens there,
 * so it is refused (SignInError `failed`).
 */
export function signInEndpoints(gatewayUrl: string, announced?: Partial<Record<keyof SignInEndpoints, string | undefined>>): Required<SignInEndpoints> {
  const base = gatewayUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const at = (key: keyof SignInEndpoints) => {
    const url = new URL(announced?.[key] || `${base}${SIGN_IN_PATHS[key]}`, `${base}/`);
    if (url.origin !== origin) throw new SignInError(`the gateway announced its ${key} on another origin (${url.origin}, not ${origin})`, 'failed');
    return url.href;
  };
  return { loginUrl: at('loginUrl'), tokenUrl: at('tokenUrl'), logoutUrl: at('logoutUrl') };
}

/** Tokens read back from a client's storage, or null when the value is not what `save` wrote. */
export function readStoredTokens(value: unknown): StoredTokens | null {
  const v = value as Partial<StoredTokens> | null | undefined;
  if (!v || typeof v !== 'object' || typeof v.accessToken !== 'string' || typeof v.refreshToken !== 'string' || typeof v.expiresAt !== 'number') return null;
  return v as StoredTokens;
}

export interface SignInOptions {
  endpoints: SignInEndpoints;
  clientId: string;
  /** Exactly as registered at the gateway (VISIO_CLIENTS). */
  redirectUri: string;
  storage: TokenStorage;
  fetch?: typeof fetch;
  now?: () => number;
  /** Refresh this long before expiry (default 30 s). */
  marginMs?: number;
}

export async function beginSignIn(options: Pick<SignInOptions, 'endpoints' | 'clientId' | 'redirectUri'>, lang?: 'fr' | 'en'): Promise<PendingSignIn> {
  const { verifier, challenge } = await createPkce();
  const state = randomString(24);
  const url = new URL(options.endpoints.loginUrl);
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  if (lang) url.searchParams.set('lang', lang);
  return { url: url.href, state, verifier };
}

/** Reads the redirect the gateway sent back: the one-time code, or why there is none. */
export function readRedirect(redirected: string, pending: Pick<PendingSignIn, 'state'>): string {
  const params = new URL(redirected).searchParams;
  if (params.get('state') !== pending.state) throw new SignInError('The sign-in answer does not belong to this request.', 'state-mismatch');
  const error = params.get('error');
  if (error) {
    // The provider's description stays in `message` (for developers); the agent sees describeError's sentence.
    const kind = error === 'access_denied' ? 'denied' : error === 'temporarily_unavailable' ? 'unavailable' : 'failed';
    throw new SignInError(`${error}: ${params.get('error_description') ?? ''}`.replace(/: $/, ''), kind);
  }
  const code = params.get('code');
  if (!code) throw new SignInError('The sign-in answer carries no code.', 'failed');
  return code;
}

/**
 * What `identity.launchWebAuthFlow` rejected with (extension in Chromium and Firefox, Thunderbird add-on), as a
 * SignInError. The browsers only give English texts: Chromium "The user did not approve access." and Gecko
 * (Firefox, Thunderbird) "User cancelled or denied access." when the agent closes the window; Chromium
 * "Authorization page could not be loaded." when the gateway's page cannot load.
 */
export function webAuthFlowError(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  const text = error instanceof Error ? error.message : typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
  if (/did not approve|cancel/i.test(text)) return new SignInError(`sign-in window closed (${text})`, 'cancelled');
  if (/could not be loaded|load(?:ing)? timed out/i.test(text)) return new SignInError(`sign-in page not loaded (${text})`, 'network');
  return new SignInError(`sign-in window failed (${text})`, 'failed');
}

/**
 * One sign-in through `identity.launchWebAuthFlow` (the extension, the Thunderbird add-on): the login page
 * in the platform's window, then the code exchange. A rejection of the window comes out as webAuthFlowError's.
 */
export async function signInWithWebAuthFlow(
  session: Pick<SignInSession, 'beginSignIn' | 'completeSignIn'>,
  launchWebAuthFlow: (details: { url: string; interactive: boolean }) => Promise<string>,
  lang?: 'fr' | 'en',
): Promise<void> {
  const pending = await session.beginSignIn(lang);
  let redirected: string;
  try {
    redirected = await launchWebAuthFlow({ url: pending.url, interactive: true });
  } catch (error) {
    throw webAuthFlowError(error);
  }
  await session.completeSignIn(redirected, pending);
}

/** Whether the sign-in ended because the agent closed the window: show it as a notice, not as an error. */
export function isSignInCancelled(error: unknown): boolean {
  return error instanceof SignInError && error.kind === 'cancelled';
}

async function tokenRequest(tokenUrl: string, body: Record<string, string>, doFetch: typeof fetch, now: () => number): Promise<StoredTokens> {
  let response: Response;
  try {
    response = await doFetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(body).toString(),
      credentials: 'omit',
      redirect: 'error',
    });
  } catch {
    throw new SignInError('Cannot reach the gateway to sign in.', 'network');
  }
  let json: Record<string, unknown> = {};
  try {
    json = (await response.json()) as Record<string, unknown>;
  } catch {
    // handled below
  }
  if (!response.ok) {
    const detail = typeof json.detail === 'string' ? json.detail : `The gateway answered ${response.status}.`;
    const kind = json.error === 'invalid_grant' ? 'invalid-grant' : response.status === 429 || response.status >= 500 ? 'unavailable' : 'failed';
    throw new SignInError(detail, kind);
  }
  const { access_token, refresh_token, expires_in } = json;
  if (typeof access_token !== 'string' || typeof refresh_token !== 'string' || typeof expires_in !== 'number') {
    throw new SignInError('The gateway sent an unreadable sign-in answer.', 'failed');
  }
  return { accessToken: access_token, refreshToken: refresh_token, expiresAt: now() + expires_in * 1000 };
}

export interface SignInSession extends TokenSource {
  beginSignIn(lang?: 'fr' | 'en'): Promise<PendingSignIn>;
  /** After the login page redirected to `redirectUri`: checks state, exchanges the code, stores the tokens. */
  completeSignIn(redirected: string, pending: PendingSignIn): Promise<void>;
  isSignedIn(): Promise<boolean>;
  signOut(): Promise<void>;
  refresh(): Promise<boolean>;
}

/** Tokens for `createVisioClient({ auth })`: fresh access tokens, one refresh at a time, sign-in and sign-out. */
export function createSignInSession(options: SignInOptions): SignInSession {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const margin = options.marginMs ?? 30_000;
  let refreshing: Promise<boolean> | null = null;

  async function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      const stored = await options.storage.load();
      if (!stored) return false;
      try {
        await options.storage.save(await tokenRequest(options.endpoints.tokenUrl, { grant_type: 'refresh_token', refresh_token: stored.refreshToken, client_id: options.clientId }, doFetch, now));
        return true;
      } catch (error) {
        // A refused refresh token is spent for good: sign in again. An unreachable or busy gateway keeps it.
        if (error instanceof SignInError && error.kind !== 'network' && error.kind !== 'unavailable') await options.storage.save(null);
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  return {
    async getAccessToken() {
      const stored = await options.storage.load();
      if (!stored) return null;
      if (stored.expiresAt - margin > now()) return stored.accessToken;
      return (await refresh()) ? ((await options.storage.load())?.accessToken ?? null) : null;
    },
    refresh,
    beginSignIn: (lang) => beginSignIn(options, lang),
    async completeSignIn(redirected, pending) {
      const code = readRedirect(redirected, pending);
      const tokens = await tokenRequest(
        options.endpoints.tokenUrl,
        { grant_type: 'authorization_code', code, code_verifier: pending.verifier, client_id: options.clientId, redirect_uri: options.redirectUri },
        doFetch,
        now,
      );
      await options.storage.save(tokens);
    },
    async isSignedIn() {
      return (await options.storage.load()) !== null;
    },
    async signOut() {
      const stored = await options.storage.load();
      await options.storage.save(null);
      if (!stored || !options.endpoints.logoutUrl) return;
      try {
        await doFetch(options.endpoints.logoutUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${stored.accessToken}` },
          body: new URLSearchParams({ refresh_token: stored.refreshToken, client_id: options.clientId }).toString(),
          credentials: 'omit',
          redirect: 'error',
        });
      } catch {
        // Signed out locally; the session ends by itself on the gateway.
      }
    },
  };
}
