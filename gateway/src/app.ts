/** The gateway's HTTP application: middleware, routes and the one error shape. */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.js';
import type { GatewaySettings } from './config.js';
import { createRelyingParty } from './auth/oidc.js';
import { createJoinSessions } from './auth/join-session.js';
import { authPage } from './auth/pages.js';
import { clientAddress, createRateLimiter } from './auth/rate-limit.js';
import { createTokenService, InvalidTokenError, loadTokenSecret, type Principal } from './auth/tokens.js';
import { localUser } from './identity.js';
import type { Logger } from './logger.js';
import { documentRoute, fileResponse, newRouter } from './openapi.js';
import { ProblemError, problemResponse, type ProblemType } from './problem.js';
import type { RoomProvider } from './providers/provider.js';
import { createCalendarService } from './calendars.js';
import { createRoomService } from './rooms.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes, createSignInFlow, type SignInFlow } from './routes/auth.js';
import { calendarRoutes } from './routes/calendars.js';
import { icsRoutes } from './routes/ics.js';
import { joinRoutes, webhookRoutes } from './routes/join.js';
import { outlookRoutes } from './routes/outlook.js';
import { pageRoutes, pickLang } from './routes/page.js';
import { roomRoutes } from './routes/rooms.js';
import { systemRoutes, VERSION } from './routes/system.js';
import { StoreUnavailableError, type Store } from './store/store.js';

export const MAX_BODY_BYTES = 64 * 1024;
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface AppDeps {
  settings: GatewaySettings;
  store: Store;
  provider: RoomProvider;
  log: Logger;
}

const HTTP_PROBLEMS: Record<number, [ProblemType, string]> = {
  400: ['malformedJson', 'Malformed request body'],
  413: ['payloadTooLarge', 'Request body too large'],
  415: ['unsupportedMediaType', 'Unsupported media type'],
};

/** The scope a route needs: reading is separate from creating/deleting, the audit trail from both. */
export function requiredScope(method: string, path: string): string {
  if (path === '/v1/audit' || path.startsWith('/v1/audit/')) return 'audit:read';
  return method === 'GET' || method === 'HEAD' ? 'rooms:read' : 'rooms:write';
}

const unauthorized = (detail: string) =>
  new ProblemError(401, 'unauthorized', 'Sign-in required', detail, { headers: { 'www-authenticate': 'Bearer realm="visio", error="invalid_token"' } });

export function createApp({ settings, store, provider, log }: AppDeps): Hono<AppEnv> {
  const app = newRouter();
  const { auth } = settings;
  const tokenSecret = auth.mode === 'oidc' ? loadTokenSecret(auth.tokenSecret, settings.dataDir) : undefined;
  const tokens = auth.mode === 'oidc' ? createTokenService(auth, settings.publicUrl, tokenSecret!, store) : undefined;
  const joinSessions = auth.mode === 'oidc' ? createJoinSessions({ ttlSeconds: auth.joinSessionTtl, publicUrl: settings.publicUrl, secret: tokenSecret!, store }) : undefined;
  const limiter = auth.mode === 'oidc' ? createRateLimiter(store, auth.rateLimits.windowSeconds) : undefined;
  const rooms = createRoomService({ store, provider, defaultAccessLevel: settings.defaultAccessLevel, staleClaimMs: settings.staleClaimMs, log });
  const calendars = createCalendarService({ caldav: settings.caldav, rooms, instanceUrl: settings.instanceUrl, instanceName: settings.instanceName, log });

  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // Path only: query strings may carry codes or tokens.
    log.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      client: c.get('client'),
    });
  });
  app.use(async (c, next) => {
    await next();
    // A page that names who may frame it (the Outlook add-in) is governed by its CSP frame-ancestors alone.
    const csp = c.res.headers.get('content-security-policy') ?? '';
    if (/frame-ancestors (?!'none')/.test(csp)) c.res.headers.delete('x-frame-options');
  });
  app.use(secureHeaders({ crossOriginResourcePolicy: 'same-site', referrerPolicy: 'no-referrer' }));
  app.use(async (c, next) => {
    await next();
    // Pages set their own policy; everything else (JSON, files) may load and frame nothing.
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', API_CSP);
  });
  const corsHeaders = cors({
    origin: (origin) => (settings.corsOrigins.includes(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-visio-client', 'x-request-id', 'x-caldav-authorization', 'x-caldav-server'],
    exposeHeaders: ['content-disposition', 'location', 'x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after'],
    maxAge: 600,
  });
  // A disallowed origin gets no CORS header at all (not even the allowed methods and headers).
  app.use(async (c, next) => {
    const origin = c.req.header('origin');
    if (!origin) {
      // Not a cross-origin request: nothing to grant. Touching c.res here would make Hono rebuild every response.
      c.header('vary', 'Origin', { append: true });
      return next();
    }
    if (!settings.corsOrigins.includes(origin)) {
      if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) return c.body(null, 204);
      return next();
    }
    return corsHeaders(c, next);
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => problemResponse(c, new ProblemError(413, 'payloadTooLarge', 'Request body too large', `The limit is ${MAX_BODY_BYTES / 1024} KB.`)),
    }),
  );
  app.use('/v1/*', async (c, next) => {
    const client = c.req.header('x-visio-client');
    c.set('client', client && /^[a-z0-9-]{1,32}$/.test(client) ? client : 'unknown');
    const isConfig = c.req.path === '/v1/config' && (c.req.method === 'GET' || c.req.method === 'HEAD');
    if (auth.mode === 'local') {
      if (c.req.path !== '/v1/config') c.set('user', localUser(auth.user.email, auth.user.name));
    } else if (!isConfig) {
      await requireToken(c);
    }
    await next();
  });
  // Join links: the local agent; with sign-in, a bearer token as on the API, else the browser's join session
  // (the only place that cookie is read). Without either, the route sends the browser to sign in.
  app.use('/j/*', async (c, next) => {
    if (auth.mode === 'local') c.set('user', localUser(auth.user.email, auth.user.name));
    else if (c.req.header('authorization') !== undefined) await requireToken(c);
    else {
      const user = await joinSessions!.current(c);
      if (user) c.set('user', user);
    }
    await next();
  });
  async function requireToken(c: Context<AppEnv>): Promise<void> {
    if (auth.mode !== 'oidc') return;
    {
      // Every /v1 route but the public configuration needs a valid token.
      const header = c.req.header('authorization');
      if (!header) throw unauthorized('Send Authorization: Bearer <access token>; get one by signing in (see /v1/config).');
      const bearer = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(header)?.[1];
      if (!bearer) throw unauthorized('The Authorization header must be: Bearer <access token>.');
      let principal: Principal;
      try {
        principal = await tokens!.authenticate(bearer);
      } catch (error) {
        if (error instanceof InvalidTokenError) throw unauthorized(`${error.message}; sign in again.`);
        throw error;
      }
      const scope = requiredScope(c.req.method, c.req.path);
      if (!principal.scopes.includes(scope)) {
        throw new ProblemError(403, 'forbidden', 'Not allowed', `This key lacks the ${scope} scope.`, { headers: { 'www-authenticate': `Bearer realm="visio", error="insufficient_scope", scope="${scope}"` } });
      }
      c.set('user', principal.user);
      if (c.get('client') === 'unknown') c.set('client', principal.clientId.slice(0, 40));
      // Room creation is limited per agent and per address.
      if (c.req.method === 'POST' && (c.req.path === '/v1/rooms' || c.req.path === '/v1/ics')) {
        const address = clientAddress(c, auth.trustProxyHops);
        await limiter!(c, [
          { policy: 'rooms-user', key: principal.user.sub, limit: auth.rateLimits.roomsPerUser },
          { policy: 'rooms-address', key: address, limit: auth.rateLimits.roomsPerAddress },
        ]);
      }
    }
  }

  app.route('/', systemRoutes(settings, rooms, provider, log));
  app.route('/', roomRoutes(rooms, settings.instanceName));
  app.route('/', auditRoutes(rooms));
  let signInFlow: SignInFlow | undefined;
  if (auth.mode === 'local') {
    // A client configured for sign-in meets a local gateway: say so instead of a bare 404.
    documentRoute(app, { method: 'get', path: '/auth/login', summary: 'Local single-user mode: a page saying no sign-in is needed', responses: { 404: fileResponse('The page (fr/en)', 'text/html') } });
    app.get('/auth/login', (c) => authPage(c, pickLang(c.req.query('lang'), c.req.header('accept-language')), 'localMode', 404));
  } else {
    const deps = { settings: auth, publicUrl: settings.publicUrl, rp: createRelyingParty(auth), store, limiter: limiter!, log };
    signInFlow = createSignInFlow(deps);
    app.route('/', authRoutes({ ...deps, tokens: tokens!, joinSessions: joinSessions!, flow: signInFlow }));
  }
  app.route('/', icsRoutes(rooms, settings.instanceName));
  app.route('/', calendarRoutes(calendars));
  app.route('/', pageRoutes(settings));
  app.route('/', outlookRoutes(settings));
  app.route('/', joinRoutes(rooms, signInFlow?.joinSignIn));
  app.route('/', webhookRoutes(rooms, log));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Visio gateway', version: VERSION, description: 'Creates Visio rooms, invitations and calendar files for the Visio integrations.' },
  });

  app.notFound((c) => problemResponse(c, new ProblemError(404, 'notFound', 'Not found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    if (error instanceof StoreUnavailableError) {
      log.warn('store unavailable', { requestId: c.get('requestId'), path: c.req.path, error: String((error.cause as Error | undefined)?.message ?? error.message) });
      return problemResponse(
        c,
        new ProblemError(503, 'unavailable', 'Service unavailable', 'The gateway cannot reach its database; nothing was changed. Retry in a moment.', { headers: { 'retry-after': '2' } }),
      );
    }
    if (error instanceof HTTPException) {
      const [type, title] = HTTP_PROBLEMS[error.status] ?? ['internal', 'Request refused'];
      return problemResponse(c, new ProblemError(error.status, type, title, error.message));
    }
    log.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    return problemResponse(c, new ProblemError(500, 'internal', 'Internal error', 'The gateway failed; the request id helps the administrator find out why.'));
  });
  return app;
}
