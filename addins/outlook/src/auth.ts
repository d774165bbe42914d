/**
 * Sign-in seam. With a gateway in local single-user mode no token is needed. With sign-in (OIDC mode), the
 * task pane opens the gateway's sign-in page in an Office dialog (authorization code + PKCE); the gateway's
 * callback page hands the one-time code back with messageParent; the code is exchanged at the token URL.
 * Tokens live in the add-in's own storage (OfficeRuntime.storage when shared with the command runtime).
 */
import type { TokenSource } from '@visio/shared/client';

const TOKEN_KEY = 'visio.accessToken';

export interface KeyValueStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export function defaultStorage(): KeyValueStorage | null {
  const runtime = (globalThis as { OfficeRuntime?: { storage?: KeyValueStorage } }).OfficeRuntime;
  if (runtime?.storage) return runtime.storage;
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function storedTokenSource(storage: KeyValueStorage | null): TokenSource {
  return { getAccessToken: async () => (storage ? await storage.getItem(TOKEN_KEY) : null) };
}

export async function storeToken(storage: KeyValueStorage | null, token: string | null): Promise<void> {
  if (!storage) return;
  if (token === null) await storage.removeItem(TOKEN_KEY);
  else await storage.setItem(TOKEN_KEY, token);
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface PkceStart {
  verifier: string;
  state: string;
  loginUrl: string;
  redirectUri: string;
}

export const CLIENT_ID = 'visio-outlook';

/** The dialog's start URL: the gateway's sign-in with a fresh PKCE challenge and state. */
export async function startSignIn(gateway: string, loginPath = '/auth/login'): Promise<PkceStart> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const redirectUri = `${gateway}/outlook/auth-callback.html`;
  const url = new URL(loginPath, gateway);
  url.search = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', state }).toString();
  return { verifier, state, loginUrl: url.toString(), redirectUri };
}

export type DialogMessage = { type: 'code'; code: string; state: string } | { type: 'error'; error: string; state: string };

/** What the callback page sends; anything else is refused. */
export function parseDialogMessage(raw: string): DialogMessage | null {
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    if (typeof value.state !== 'string') return null;
    if (value.type === 'code' && typeof value.code === 'string' && value.code.length > 0 && value.code.length <= 512) return { type: 'code', code: value.code, state: value.state };
    if (value.type === 'error' && typeof value.error === 'string') return { type: 'error', error: value.error.slice(0, 200), state: value.state };
  } catch {
    // fall through
  }
  return null;
}
