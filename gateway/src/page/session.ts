/** The pages' sign-in session (OIDC mode): the page is the registered client `web`; tokens live in this tab only. */
import { createSignInSession, readStoredTokens, type SignInSession, type TokenStorage } from '@visio/shared';

export function tabStorage(key: string): TokenStorage {
  return {
    load: () => {
      try {
        return readStoredTokens(JSON.parse(sessionStorage.getItem(key) ?? 'null'));
      } catch {
        return null;
      }
    },
    save: (tokens) => (tokens ? sessionStorage.setItem(key, JSON.stringify(tokens)) : sessionStorage.removeItem(key)),
  };
}

/** From the data-* sign-in endpoints the server put on `main`; null in local mode. */
export function pageSession(main: HTMLElement): SignInSession | null {
  const d = main.dataset;
  if (!d.loginUrl || !d.tokenUrl || !d.redirectUri) return null;
  return createSignInSession({
    endpoints: { loginUrl: d.loginUrl, tokenUrl: d.tokenUrl, logoutUrl: d.logoutUrl },
    clientId: 'web',
    redirectUri: d.redirectUri,
    storage: tabStorage('visio.tokens'),
    // Same origin as the gateway: signing out here also ends this browser's join-link session (its cookie
    // goes with the sign-out request only).
    fetch: (input, init) => fetch(input, String(input) === d.logoutUrl ? { ...init, credentials: 'same-origin' } : init),
  });
}
