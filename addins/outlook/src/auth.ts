/**
 * Sign-in seam. With a gateway in local single-user mode no token is needed. With sign-in (OIDC mode), the
 * task pane opens the gateway's sign-in page in an Office dialog (authorization code + PKCE, done by
 * @visio/shared/sign-in); the callback page on the gateway hands the redirect back with messageParent; the
 * code is exchanged at the gateway's token URL. Tokens (access + refresh) live in the add-in's own storage
 * (the pane's localStorage; OfficeRuntime.storage in classic Windows' JavaScript-only runtime, the only one
 * that has it), never in logs.
 */
import type { GatewayConfig } from '@visio/shared/contract';
import { createSignInSession, readStoredTokens, SignInError, signInEndpoints, type SignInSession, type TokenStorage } from '@visio/shared/sign-in';

const TOKENS_KEY = 'visio.tokens';

/** Registered at the gateway in VISIO_CLIENTS with `${gateway}${CALLBACK_PATH}` as its redirect URI. */
export const CLIENT_ID = 'outlook';
export const CALLBACK_PATH = '/outlook/auth-callback.html';

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

/** The shared helper's token storage over Office's key-value storage (JSON under one key). */
export function keyValueTokenStorage(storage: KeyValueStorage | null): TokenStorage {
  return {
    async load() {
      const raw = storage ? await storage.getItem(TOKENS_KEY) : null;
      if (!raw) return null;
      try {
        return readStoredTokens(JSON.parse(raw));
      } catch {
        return null;
      }
    },
    async save(tokens) {
      if (!storage) return;
      if (tokens === null) await storage.removeItem(TOKENS_KEY);
      else await storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    },
  };
}

/**
 * The add-in's sign-in session; the routes announced in /v1/config win over the defaults, and any on another
 * origin than the gateway's is refused (SignInError `failed`): tokens never go elsewhere.
 */
export function outlookSignIn(gateway: string, storage: KeyValueStorage | null, auth?: GatewayConfig['auth']): SignInSession {
  return createSignInSession({
    endpoints: signInEndpoints(gateway, auth),
    clientId: CLIENT_ID,
    redirectUri: new URL(CALLBACK_PATH, gateway).href,
    storage: keyValueTokenStorage(storage),
  });
}

/**
 * What the callback page sends: the URL it was opened at (code or error, and state). Anything that is not
 * that page's URL is refused; state and error are checked by completeSignIn.
 */
export function parseDialogMessage(raw: string, redirectUri: string): string | null {
  if (typeof raw !== 'string' || raw.length > 4096) return null;
  try {
    const url = new URL(raw);
    const expected = new URL(redirectUri);
    return url.origin === expected.origin && url.pathname === expected.pathname ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Office's dialog error codes (a failed displayDialogAsync, or DialogEventReceived) as sign-in errors, whose
 * sentence describeError gives. 12006: the agent closed the dialog; 12009: the agent declined Office on the
 * web's prompt to open it (both `cancelled`). 12007: a dialog is already open; 12011: the browser blocks
 * pop-ups (`blocked`). 12002: the page could not load (`network`). 12003/12004/12005 (not HTTPS, domain not
 * in AppDomains) and anything else: `failed`, an administrator's matter.
 */
export function officeDialogError(code: number | undefined): SignInError {
  const kind = code === 12006 || code === 12009 ? 'cancelled' : code === 12007 || code === 12011 ? 'blocked' : code === 12002 ? 'network' : 'failed';
  return new SignInError(`Office dialog error ${code ?? 'without a code'}`, kind);
}
