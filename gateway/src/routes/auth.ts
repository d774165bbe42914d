/**
 * The gateway's sign-in endpoints (OIDC mode). For its registered clients:
 * GET /auth/login → identity provider → GET /auth/callback → client's redirect URI with a one-time code →
 * POST /auth/token (PKCE) → access + refresh tokens; POST /auth/logout revokes.
 * For join links: GET /j/{code} → identity provider → GET /auth/callback → join session cookie → /j/{code}.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Lang } from '@visio/shared';
import { LogoutRequestSchema, TokenRequestSchema, TokenResponseSchema, type TokenRequest } from '@visio/shared/contract';
import { CLIENT_ID_PATTERN } from '@visio/shared/wire';
import type { OidcSettings } from '../auth/config.js';
import { OidcError, type RelyingParty } from '../auth/oidc.js';
import { authPage, type AuthPageKind, type AuthPageNext } from '../auth/pages.js';
import { JOIN_CLIENT_ID, type JoinSessions } from '../auth/join-session.js';
import { clientAddress, type RateLimiter } from '../auth/rate-limit.js';
import { registeredRedirect, withParams } from '../auth/redirect.js';
import { AUTH_CODE_PREFIX, digest, pkceChallenge, randomToken, REFRESH_TOKEN_PREFIX, safeEqual } from '../auth/secrets.js';
import { InvalidTokenError, type TokenService } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import { documentRoute, fileResponse, newRouter, problemResponses } from '../openapi.js';
import { ProblemError, validationProblem } from '../problem.js';
import type { SignedInUser, Store } from '../store/store.js';
import { pickLang } from './page.js';

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

export interface AuthDeps {
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

const LOGIN_TTL_MS = 10 * 60_000;
const STATE = /^[\x21-\x7e]{1,512}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const OP_ERRORS = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'temporarily_unavailable']);
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

const grantError = (error: 'invalid_grant' | 'invalid_request' | 'unsupported_grant_type', detail: string) => new ProblemError(400, 'invalidGrant', 'Sign-in refused', detail, { error });

const loginCookie = (state: string) => `visio_login_${digest(state).slice(0, 16)}`;

/** How a join link's failed sign-in is told to the browser (the OAuth error it would be for a client). */
const JOIN_FAILURES: Record<string, [AuthPageKind, ContentfulStatusCode]> = {
  access_denied: ['failed', 403],
  temporarily_unavailable: ['unavailable', 503],
  server_error: ['failed', 502],
  invalid_request: ['failed', 400],
};

/** The one way to the identity provider (PKCE, state, nonce, browser binding), for clients and join links alike. */
export function createSignInFlow({ settings, publicUrl, rp, store, limiter, log, now = Date.now }: Omit<AuthDeps, 'tokens' | 'joinSessions'>) {
  const secureCookie = publicUrl.startsWith('https:');

  /** The sign-in page to show when this address is over its sign-in limit, else null. */
  async function limitedPage(c: Context, lang: Lang, next: AuthPageNext = 'client'): Promise<Response | null> {
    try {
      await limiter(c, [{ policy: 'signin-address', key: clientAddress(c, settings.trustProxyHops), limit: settings.rateLimits.signInPerAddress }]);
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

  return {
    limitedPage,
    redirectToProvider,
    /** `GET /j/{code}` without a session: sign in first, then back to that link. */
    async joinSignIn(c: Context, code: string): Promise<Response> {
      const lang = pickLang(undefined, c.req.header('accept-language'));
      return (await limitedPage(c, lang, 'join')) ?? redirectToProvider(c, lang, { kind: 'join', code });
    },
  };
}

export type SignInFlow = ReturnType<typeof createSignInFlow>;

export function authRoutes(deps: AuthDeps & { flow: SignInFlow }) {
  const { settings, publicUrl, rp, tokens, joinSessions, store, limiter, log, flow, now = Date.now } = deps;
  const { limitedPage, redirectToProvider } = flow;
  const app = newRouter();
  const secureCookie = publicUrl.startsWith('https:');
  const limits = settings.rateLimits;

  /** The single value of a query parameter; repeated parameters are refused (RFC 6749 §3.1). */
  const single = (c: Context, name: string): string | undefined => {
    const all = c.req.queries(name);
    return all && all.length === 1 ? all[0] : undefined;
  };

  // The Outlook add-in opens sign-in in an Office dialog: a page with COOP same-origin there loses its opener
  // and messageParent never arrives (Microsoft's dialog API documentation). Kept by secureHeaders.
  for (const path of ['/auth/login', '/auth/callback']) {
    app.use(path, async (c, next) => {
      c.header('cross-origin-opener-policy', 'unsafe-none');
      await next();
    });
  }

  const query = (names: string[]) => z.object(Object.fromEntries(names.map((name) => [name, z.string().optional()])));
  documentRoute(app, {
    method: 'get',
    path: '/auth/login',
    summary: 'Starts a registered client’s sign-in (authorization code + PKCE S256): on to the identity provider',
    request: { query: query(['client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'lang']) },
    responses: {
      302: { description: 'To the identity provider; or back to the client’s redirect URI with `error=invalid_request` when state or PKCE is missing' },
      400: fileResponse('Unregistered client or redirect URI: a page saying so (fr/en)', 'text/html'),
      429: fileResponse('Too many sign-ins from this address: a page saying so', 'text/html'),
    },
  });
  app.get('/auth/login', async (c) => {
    const lang = pickLang(single(c, 'lang'), c.req.header('accept-language'));
    const limited = await limitedPage(c, lang);
    if (limited) return limited;
    const clientId = single(c, 'client_id');
    const redirectUri = registeredRedirect(settings.clients, clientId, single(c, 'redirect_uri'));
    if (!clientId || !redirectUri) {
      log.warn('sign-in refused: unregistered client or redirect URI', { clientId: clientId && CLIENT_ID_PATTERN.test(clientId) ? clientId : 'invalid' });
      return authPage(c, lang, 'invalidClient', 400);
    }
    const state = single(c, 'state');
    const codeChallenge = single(c, 'code_challenge');
    const missing = [
      !state || !STATE.test(state) ? 'state' : '',
      !codeChallenge || !CHALLENGE.test(codeChallenge) ? 'code_challenge' : '',
      single(c, 'code_challenge_method') !== 'S256' ? 'code_challenge_method (S256)' : '',
    ].filter(Boolean);
    if (missing.length) {
      // The client and its URI are registered: it is told, as OAuth does.
      const back = withParams(redirectUri, { error: 'invalid_request', error_description: `missing or invalid: ${missing.join(', ')}`, state: state && STATE.test(state) ? state : undefined });
      return c.redirect(back, 302);
    }
    return redirectToProvider(c, lang, { kind: 'client', clientId, redirectUri, clientState: state!, codeChallenge: codeChallenge! });
  });

  documentRoute(app, {
    method: 'get',
    path: '/auth/callback',
    summary: 'The identity provider’s return: a one-time code to the client’s redirect URI, or back to /j/{code} for a join link',
    request: { query: query(['state', 'code', 'error', 'iss']) },
    responses: {
      302: { description: 'To the client’s redirect URI with `code` and `state` (or `error`), or to /j/{code}' },
      400: fileResponse('Expired or forged sign-in: a page saying so (fr/en)', 'text/html'),
      429: fileResponse('Too many sign-ins: a page saying so', 'text/html'),
      502: fileResponse('The identity provider failed or sent a bad ID token: a page saying so', 'text/html'),
    },
  });
  app.get('/auth/callback', async (c) => {
    const lang = pickLang(undefined, c.req.header('accept-language'));
    const limited = await limitedPage(c, lang);
    if (limited) return limited;
    const state = single(c, 'state');
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
    const back = (params: Record<string, string | undefined>): Response => {
      if (login.kind === 'join') {
        // A join link has no client to hand the error to: the browser gets a page (fr/en) saying what happened.
        const [kind, status] = JOIN_FAILURES[params.error ?? ''] ?? ['failed', 403];
        return authPage(c, login.lang, kind, status, {}, 'join');
      }
      noStore();
      return c.redirect(withParams(login.redirectUri, { ...params, state: login.clientState, iss: publicUrl }), 302);
    };
    const opError = single(c, 'error');
    if (opError) return back({ error: OP_ERRORS.has(opError) ? opError : 'access_denied' });
    const iss = single(c, 'iss');
    if (iss !== undefined && iss.replace(/\/+$/, '') !== settings.issuer) {
      log.warn('sign-in callback refused: iss names another provider');
      return back({ error: 'server_error', error_description: 'unexpected issuer' });
    }
    const code = single(c, 'code');
    if (!code) return back({ error: 'invalid_request', error_description: 'no code from the identity provider' });
    let user: SignedInUser;
    try {
      user = await rp.exchange(code, login.verifier, login.nonce);
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
  });

  const body = { content: { 'application/x-www-form-urlencoded': { schema: TokenRequestSchema }, 'application/json': { schema: TokenRequestSchema } }, required: false };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/token',
      summary: 'Exchange a one-time code (with its PKCE verifier) or a refresh token for tokens',
      request: { body },
      responses: {
        200: { description: 'Access token (JWT, short-lived) and a new refresh token (the old one is spent)', content: { 'application/json': { schema: TokenResponseSchema } } },
        ...problemResponses(400, 401, 413, 415, 429),
      },
    }),
    async (c) => {
      await limiter(c, [{ policy: 'signin-address', key: clientAddress(c, settings.trustProxyHops), limit: limits.signInPerAddress }]);
      const raw = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : c.req.valid('form');
      const parsed = TokenRequestSchema.safeParse(raw);
      if (!parsed.success) {
        if (typeof (raw as { grant_type?: unknown }).grant_type === 'string' && !['authorization_code', 'refresh_token'].includes((raw as { grant_type: string }).grant_type)) {
          throw grantError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
        }
        const problem = validationProblem(parsed.error, 'body');
        throw new ProblemError(400, 'validation', problem.title, problem.detail, { ...problem.extra, error: 'invalid_request' });
      }
      const request: TokenRequest = parsed.data;
      if (!settings.clients.has(request.client_id)) {
        throw new ProblemError(401, 'unauthorized', 'Unknown client', 'This client_id is not registered with the gateway.', { error: 'invalid_client' });
      }
      if (request.grant_type === 'refresh_token') {
        const result = await tokens.refresh(request.refresh_token, request.client_id);
        if ('error' in result) {
          log.warn('refresh refused', { reason: result.error, clientId: request.client_id });
          throw grantError('invalid_grant', 'The refresh token is not valid (expired, revoked, already used, or issued to another client): sign in again.');
        }
        return c.json(result, 200, NO_STORE);
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
      return c.json(session.tokens, 200, NO_STORE);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      summary: 'Sign out: revokes the session of the refresh token and/or the bearer access token',
      request: { body: { content: { 'application/x-www-form-urlencoded': { schema: LogoutRequestSchema }, 'application/json': { schema: LogoutRequestSchema } }, required: false } },
      responses: { 204: { description: 'Signed out (also when the token was already invalid)' }, ...problemResponses(400, 413, 415) },
    }),
    async (c) => {
      const raw = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : c.req.valid('form');
      const parsed = LogoutRequestSchema.safeParse(raw);
      if (!parsed.success) throw validationProblem(parsed.error, 'body');
      // A browser's join session ends too (its cookie comes only with a same-site request: SameSite=Lax).
      await joinSessions.end(c);
      const refresh = parsed.data.refresh_token;
      if (refresh?.startsWith(REFRESH_TOKEN_PREFIX)) await tokens.revokeFamily({ hash: digest(refresh) });
      const bearer = /^Bearer ([\x21-\x7e]+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (bearer) {
        try {
          const principal = await tokens.authenticate(bearer);
          if (principal.familyId) await tokens.revokeFamily({ familyId: principal.familyId });
        } catch (error) {
          if (!(error instanceof InvalidTokenError)) throw error;
        }
      }
      return c.body(null, 204, NO_STORE);
    },
  );

  return app;
}
