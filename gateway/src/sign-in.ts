/**
 * The sign-in service (OIDC mode), the one way the `/auth/*` routes and join links reach the identity
 * provider, the one-time records of the store and the token service:
 * to the provider (PKCE, state bound to the browser, nonce) → back through the callback → a one-time code
 * for a registered client, or a join session for a join link → tokens for the code (PKCE) → sign-out.
 * routes/auth.ts only reads the HTTP request and documents it.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Lang } from '@visio/shared';
import type { TokenRequest } from '@visio/shared/contract';
import type { OidcSettings } from './auth/config.js';
import { OidcError, type RelyingParty } from './auth/oidc.js';
import { authPage, type AuthPageKind, type AuthPageNext } from './auth/pages.js';
import { JOIN_CLIENT_ID, type JoinSessions } from './auth/join-session.js';
import { clientAddress, type RateLimiter } from './auth/rate-limit.js';
import { withParams } from './auth/redirect.js';
import { AUTH_CODE_PREFIX, digest, pkceChallenge, randomToken, REFRESH_TOKEN_PREFIX, safeEqual } from './auth/secrets.js';
import { InvalidTokenError, type TokenPair, type TokenService } from './auth/tokens.js';
import type { Logger } from './logger.js';
import { ProblemError } from './problem.js';
import type { SignedInUser, Store } from './store/store.js';

/** Where a sign-in returns: a registered client (with its own state and PKCE challenge), or a join link. */
export type SignInTarget =
  | { kind: 'client'; clientId: string; redirectUri: string; clientState: string; codeChallenge: string }
  /** Only the validated room code is kept: the callback rebuilds the path itself (no open redirect). */
  | { kind: 'join'; code: string };

/** Records written before this change carry no `kind`: they are client sign-ins. */
type LoginRecord = (SignInTarget | (Omit<Extract<SignInTarget, { kind: 'client' }>, 'kind'> & { kind?: undefined })) & {
  nonce: string;
  verifier: string;
  lang: 'fr' | 'en';
};

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  user: SignedInUser;
}

/** What the identity provider sent back to `/auth/callback` (each parameter given once, else undefined). */
export interface CallbackParams {
  state: string | undefined;
  code: string | undefined;
  error: string | undefined;
  iss: string | undefined;
}

export interface SignInDeps {
  settings: OidcSettings;
  publicUrl: string;
  rp: RelyingParty;
  tokens: TokenService;
  joinSessions: JoinSessions;
  store: Store;
  limiter: RateLimiter;
  log: Logger;
  now?: () => number;
}

/** A client's `state` as the gateway accepts it (RFC 6749: visible ASCII). */
export const STATE = /^[\x21-\x7e]{1,512}$/;
const LOGIN_TTL_MS = 10 * 60_000;
const OP_ERRORS = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'temporarily_unavailable']);

/** An OAuth token-endpoint refusal (RFC 6749 §5.2) as a problem. */
export const grantError = (error: 'invalid_grant' | 'invalid_request' | 'unsupported_grant_type', detail: string) => new ProblemError(400, 'invalidGrant', 'Sign-in refused', detail, { error });

const loginCookie = (state: string) => `visio_login_${digest(state).slice(0, 16)}`;

/** How a join link's failed sign-in is told to the browser (the OAuth error it would be for a client). */
const JOIN_FAILURES: Record<string, [AuthPageKind, ContentfulStatusCode]> = {
  access_denied: ['failed', 403],
  temporarily_unavailable: ['unavailable', 503],
  server_error: ['failed', 502],
  invalid_request: ['failed', 400],
};

export function createSignInService({ settings, publicUrl, rp, tokens, joinSessions, store, limiter, log, now = Date.now }: SignInDeps) {
  const secureCookie = publicUrl.startsWith('https:');
  const limits = settings.rateLimits;

  /** Counts one sign-in request from this address; a 429 problem over the limit. */
  const limitAddress = (c: Context) => limiter(c, [{ policy: 'signin-address', key: clientAddress(c, settings.trustProxyHops), limit: limits.signInPerAddress }]);

  /** The sign-in page to show when this address is over its sign-in limit, else null. */
  async function limitedPage(c: Context, lang: Lang, next: AuthPageNext = 'client'): Promise<Response | null> {
    try {
      await limitAddress(c);
      return null;
    } catch (error) {
      if (error instanceof ProblemError && error.status === 429) return authPage(c, lang, 'rateLimited', 429, error.extra.headers, next);
      throw error;
    }
  }

  /** Sends the browser to the identity provider; the callback finds `target` again through `state`. */
  async function redirectToProvider(c: Context, lang: Lang, target: SignInTarget): Promise<Response> {
    const opState = randomToken();
    const record: LoginRecord = { ...target, nonce: randomToken(), verifier: randomToken(48), lang };
    let location: string;
    try {
      location = await rp.authorizationUrl({ state: opState, nonce: record.nonce, verifier: record.verifier, lang });
    } catch (error) {
      log.warn('identity provider unavailable', { reason: (error as Error).message });
      return authPage(c, lang, 'unavailable', 503, {}, target.kind === 'join' ? 'join' : 'client');
    }
    await store.putOneTime('login', digest(opState), record, now() + LOGIN_TTL_MS);
    // Binds the flow to this browser: a callback carrying someone else's state is refused (login CSRF).
    setCookie(c, loginCookie(opState), opState, { path: '/auth/callback', httpOnly: true, secure: secureCookie, sameSite: 'Lax', maxAge: LOGIN_TTL_MS / 1000 });
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.redirect(location, 302);
  }

  /** The identity provider's return: a one-time code to the client, or a join session and back to the link. */
  async function completeSignIn(c: Context, lang: Lang, params: CallbackParams): Promise<Response> {
    const { state } = params;
    if (!state || !STATE.test(state)) return authPage(c, lang, 'expired', 400);
    const cookieName = loginCookie(state);
    const cookie = getCookie(c, cookieName);
    deleteCookie(c, cookieName, { path: '/auth/callback', secure: secureCookie });
    if (!cookie || !safeEqual(cookie, state)) {
      log.warn('sign-in callback refused: state not issued to this browser');
      return authPage(c, lang, 'expired', 400);
    }
    const taken = await store.takeOneTime<LoginRecord>('login', digest(state), now());
    if (taken.state !== 'ok') {
      log.warn('sign-in callback refused', { reason: `login request ${taken.state}` });
      return authPage(c, lang, 'expired', 400);
    }
    const login = taken.payload;
    const noStore = () => {
      c.header('cache-control', 'no-store');
      c.header('referrer-policy', 'no-referrer');
    };
    const back = (result: Record<string, string | undefined>): Response => {
      if (login.kind === 'join') {
        // A join link has no client to hand the error to: the browser gets a page (fr/en) saying what happened.
        const [kind, status] = JOIN_FAILURES[result.error ?? ''] ?? ['failed', 403];
        return authPage(c, login.lang, kind, status, {}, 'join');
      }
      noStore();
      return c.redirect(withParams(login.redirectUri, { ...result, state: login.clientState, iss: publicUrl }), 302);
    };
    if (params.error) return back({ error: OP_ERRORS.has(params.error) ? params.error : 'access_denied' });
    if (params.iss !== undefined && params.iss.replace(/\/+$/, '') !== settings.issuer) {
      log.warn('sign-in callback refused: iss names another provider');
      return back({ error: 'server_error', error_description: 'unexpected issuer' });
    }
    if (!params.code) return back({ error: 'invalid_request', error_description: 'no code from the identity provider' });
    let user: SignedInUser;
    try {
      user = await rp.exchange(params.code, login.verifier, login.nonce);
    } catch (error) {
      if (!(error instanceof OidcError)) throw error;
      log.warn('sign-in failed at the identity provider', { reason: error.message });
      return back({ error: error.kind === 'unavailable' ? 'temporarily_unavailable' : 'server_error', error_description: error.message });
    }
    try {
      await limiter(c, [{ policy: 'signin-user', key: user.sub, limit: limits.signInPerUser }]);
    } catch (error) {
      if (!(error instanceof ProblemError && error.status === 429)) throw error;
      if (login.kind === 'join') return authPage(c, login.lang, 'rateLimited', 429, error.extra.headers, 'join');
      return back({ error: 'temporarily_unavailable', error_description: 'too many sign-ins' });
    }
    if (login.kind === 'join') {
      await joinSessions.start(c, user);
      log.info('signed in', { sub: user.sub, clientId: JOIN_CLIENT_ID });
      noStore();
      // The invitation link itself, rebuilt from the stored code alone (validated before it was stored).
      return c.redirect(`${publicUrl}/j/${login.code}`, 302);
    }
    const oneTime = `${AUTH_CODE_PREFIX}${randomToken()}`;
    const record: CodeRecord = { clientId: login.clientId, redirectUri: login.redirectUri, codeChallenge: login.codeChallenge, user };
    await store.putOneTime('code', digest(oneTime), record, now() + settings.codeTtl * 1000);
    log.info('signed in', { sub: user.sub, clientId: login.clientId });
    return back({ code: oneTime });
  }

  /** `POST /auth/token`: tokens for a one-time code (PKCE checked) or a refresh token; refusals are OAuth errors. */
  async function exchangeToken(request: TokenRequest): Promise<TokenPair> {
    if (!settings.clients.has(request.client_id)) {
      throw new ProblemError(401, 'unauthorized', 'Unknown client', 'This client_id is not registered with the gateway.', { error: 'invalid_client' });
    }
    if (request.grant_type === 'refresh_token') {
      const result = await tokens.refresh(request.refresh_token, request.client_id);
      if ('error' in result) {
        log.warn('refresh refused', { reason: result.error, clientId: request.client_id });
        throw grantError('invalid_grant', 'The refresh token is not valid (expired, revoked, already used, or issued to another client): sign in again.');
      }
      return result;
    }
    if (!request.code.startsWith(AUTH_CODE_PREFIX)) throw grantError('invalid_grant', 'Not a sign-in code from this gateway.');
    const hash = digest(request.code);
    const taken = await store.takeOneTime<CodeRecord>('code', hash, now());
    if (taken.state === 'replayed') {
      // RFC 6749 §4.1.2: a code used twice revokes what it produced.
      if (taken.familyId) await tokens.revokeFamily({ familyId: taken.familyId });
      log.warn('one-time code replayed: its session is revoked', { clientId: request.client_id });
    }
    if (taken.state !== 'ok') throw grantError('invalid_grant', 'This sign-in code is unknown, expired or already used: sign in again.');
    const record = taken.payload;
    const mismatch =
      record.clientId !== request.client_id
        ? 'client_id'
        : record.redirectUri !== request.redirect_uri
          ? 'redirect_uri'
          : !safeEqual(pkceChallenge(request.code_verifier), record.codeChallenge)
            ? 'code_verifier'
            : null;
    if (mismatch) {
      log.warn('code exchange refused', { reason: `${mismatch} does not match`, clientId: request.client_id });
      throw grantError('invalid_grant', `The ${mismatch} does not match the sign-in request; the code is now void.`);
    }
    const session = await tokens.startSession(record.user, request.client_id);
    await store.linkOneTime('code', hash, session.familyId);
    return session.tokens;
  }

  /** `POST /auth/logout`: ends the browser's join session and revokes the sessions of the tokens given. */
  async function signOut(c: Context, refreshToken: string | undefined, bearer: string | undefined): Promise<void> {
    await joinSessions.end(c);
    if (refreshToken?.startsWith(REFRESH_TOKEN_PREFIX)) await tokens.revokeFamily({ hash: digest(refreshToken) });
    if (!bearer) return;
    try {
      const principal = await tokens.authenticate(bearer);
      if (principal.familyId) await tokens.revokeFamily({ familyId: principal.familyId });
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
    }
  }

  return {
    limitAddress,
    limitedPage,
    redirectToProvider,
    completeSignIn,
    exchangeToken,
    signOut,
    /** `GET /j/{code}` without a session: sign in first, then back to that link. */
    async joinSignIn(c: Context, lang: Lang, code: string): Promise<Response> {
      return (await limitedPage(c, lang, 'join')) ?? redirectToProvider(c, lang, { kind: 'join', code });
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
