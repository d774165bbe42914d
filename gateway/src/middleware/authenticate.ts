/**
 * Who is calling. Local mode: the one configured agent. Sign-in mode: a bearer access token on /v1 (all but
 * the public configuration) and on join links, where a browser may instead show its join session.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { CLIENT_HEADER, CLIENT_ID_PATTERN } from '@visio/shared/wire';
import type { AppEnv } from '../app-env.js';
import type { AuthSettings } from '../auth/config.js';
import type { JoinSessions } from '../auth/join-session.js';
import { InvalidTokenError, type Principal, type TokenService } from '../auth/tokens.js';
import { localUser } from '../identity.js';
import { ProblemError } from '../problem.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/i;

/** The scope a route needs: reading is separate from creating/deleting, the audit trail from both. */
export function requiredScope(method: string, path: string): string {
  if (path === '/v1/audit' || path.startsWith('/v1/audit/')) return 'audit:read';
  return method === 'GET' || method === 'HEAD' ? 'rooms:read' : 'rooms:write';
}

const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', 'Sign-in required', detail, { headers: { 'www-authenticate': 'Bearer realm="visio", error="invalid_token"' } });

/** Checks the bearer token and its scope; sets the user (and the client, when the caller did not name one). */
export function bearerAuth(tokens: TokenService): (c: Context<AppEnv>) => Promise<void> {
  return async (c) => {
    const header = c.req.header('authorization');
    if (!header) throw unauthorized('Send Authorization: Bearer <access token>; get one by signing in (see /v1/config).');
    const bearer = BEARER.exec(header)?.[1];
    if (!bearer) throw unauthorized('The Authorization header must be: Bearer <access token>.');
    let principal: Principal;
    try {
      principal = await tokens.authenticate(bearer);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(`${error.message}; sign in again.`);
      throw error;
    }
    const scope = requiredScope(c.req.method, c.req.path);
    if (!principal.scopes.includes(scope)) {
      throw new ProblemError(403, 'forbidden', 'Not allowed', `This key lacks the ${scope} scope.`, {
        headers: { 'www-authenticate': `Bearer realm="visio", error="insufficient_scope", scope="${scope}"` },
      });
    }
    c.set('user', principal.user);
    if (c.get('client') === 'unknown') c.set('client', principal.clientId.slice(0, 40));
  };
}

/** `/v1/*`: the calling client (X-Visio-Client, for the audit trail) and the agent. */
export function apiAuth(auth: AuthSettings, tokens: TokenService | undefined): MiddlewareHandler<AppEnv> {
  const setClient = (c: Context<AppEnv>) => {
    const client = c.req.header(CLIENT_HEADER);
    c.set('client', client && CLIENT_ID_PATTERN.test(client) ? client : 'unknown');
  };
  if (auth.mode === 'local') {
    const user = Object.freeze(localUser(auth.user.email, auth.user.name));
    return async (c, next) => {
      setClient(c);
      if (c.req.path !== '/v1/config') c.set('user', user);
      await next();
    };
  }
  const requireToken = bearerAuth(tokens!);
  return async (c, next) => {
    setClient(c);
    // The public configuration tells clients how to sign in.
    const isConfig = c.req.path === '/v1/config' && (c.req.method === 'GET' || c.req.method === 'HEAD');
    if (!isConfig) await requireToken(c);
    await next();
  };
}

/**
 * `/j/*`: with sign-in, a bearer token as on the API, else the browser's join session (the only place that
 * cookie is read). Without either, the route sends the browser to sign in.
 */
export function joinAuth(auth: AuthSettings, tokens: TokenService | undefined, joinSessions: JoinSessions | undefined): MiddlewareHandler<AppEnv> {
  if (auth.mode === 'local') {
    const user = Object.freeze(localUser(auth.user.email, auth.user.name));
    return async (c, next) => {
      c.set('user', user);
      await next();
    };
  }
  const requireToken = bearerAuth(tokens!);
  return async (c, next) => {
    if (c.req.header('authorization') !== undefined) await requireToken(c);
    else {
      const user = await joinSessions!.current(c);
      if (user) c.set('user', user);
    }
    await next();
  };
}
