/**
 * The gateway's sign-in endpoints (OIDC mode). For its registered clients:
 * GET /auth/login → identity provider → GET /auth/callback → client's redirect URI with a one-time code →
 * POST /auth/token (PKCE) → access + refresh tokens; POST /auth/logout revokes.
 * For join links: GET /j/{code} → identity provider → GET /auth/callback → join session cookie → /j/{code}.
 * These routes read and document the requests; the flow is the sign-in service's (src/sign-in.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { LogoutRequestSchema, TokenRequestSchema, TokenResponseSchema, type TokenRequest } from '@visio/shared/contract';
import { CLIENT_ID_PATTERN } from '@visio/shared/wire';
import type { OidcSettings } from '../auth/config.js';
import { authPage } from '../auth/pages.js';
import { registeredRedirect, withParams } from '../auth/redirect.js';
import type { Logger } from '../logger.js';
import { documentRoute, fileResponse, newRouter, problemResponses } from '../openapi.js';
import { ProblemError, validationProblem } from '../problem.js';
import { grantError, STATE, type SignInService } from '../sign-in.js';
import { pickLang } from './page.js';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function authRoutes(signIn: SignInService, settings: OidcSettings, log: Logger) {
  const { limitedPage, redirectToProvider } = signIn;
  const app = newRouter();

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
    return signIn.completeSignIn(c, lang, { state: single(c, 'state'), code: single(c, 'code'), error: single(c, 'error'), iss: single(c, 'iss') });
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
      await signIn.limitAddress(c);
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
      return c.json(await signIn.exchangeToken(request), 200, NO_STORE);
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
      const bearer = /^Bearer ([\x21-\x7e]+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      await signIn.signOut(c, parsed.data.refresh_token, bearer);
      return c.body(null, 204, NO_STORE);
    },
  );

  return app;
}
