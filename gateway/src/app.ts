/** The gateway's HTTP application: middleware (each in src/middleware/), routes and the one error shape. */
import type { Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import type { GatewaySettings } from './config.js';
import { createRelyingParty } from './auth/oidc.js';
import { createJoinSessions } from './auth/join-session.js';
import { authPage } from './auth/pages.js';
import { createRateLimiter } from './auth/rate-limit.js';
import { createTokenService, loadTokenSecret } from './auth/tokens.js';
import type { Logger } from './logger.js';
import { accessLog } from './middleware/access-log.js';
import { apiAuth, joinAuth } from './middleware/authenticate.js';
import { bodyLimit } from './middleware/body-limit.js';
import { cors } from './middleware/cors.js';
import { errorProblem, notFoundProblem } from './middleware/errors.js';
import { roomCreationLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { documentRoute, fileResponse, newRouter } from './openapi.js';
import type { RoomProvider } from './providers/provider.js';
import { createCalendarService } from './calendars.js';
import { createRoomService } from './rooms.js';
import { createSignInService, type SignInService } from './sign-in.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { calendarRoutes } from './routes/calendars.js';
import { migrationRoutes } from './routes/migrations.js';
import { switchPageRoutes } from './routes/page-switch.js';
import { switchRoutes } from './routes/switch.js';
import { createMigrationService } from './migrations.js';
import { createSwitchService } from './switch.js';
import { deployRoutes } from './routes/deploy.js';
import { icsRoutes } from './routes/ics.js';
import { joinRoutes, webhookRoutes } from './routes/join.js';
import { outlookRoutes } from './routes/outlook.js';
import { pageRoutes, pickLang } from './routes/page.js';
import { roomRoutes } from './routes/rooms.js';
import { systemRoutes, VERSION } from './routes/system.js';
import type { Store } from './store/store.js';

export { MAX_BODY_BYTES } from './middleware/body-limit.js';
export { requiredScope } from './middleware/authenticate.js';

export interface AppDeps {
  settings: GatewaySettings;
  store: Store;
  provider: RoomProvider;
  log: Logger;
}

export function createApp({ settings, store, provider, log }: AppDeps): Hono<AppEnv> {
  const app = newRouter();
  const { auth } = settings;
  const tokenSecret = auth.mode === 'oidc' ? loadTokenSecret(auth.tokenSecret, settings.dataDir) : undefined;
  const tokens = auth.mode === 'oidc' ? createTokenService(auth, settings.publicUrl, tokenSecret!, store) : undefined;
  const joinSessions = auth.mode === 'oidc' ? createJoinSessions({ ttlSeconds: auth.joinSessionTtl, publicUrl: settings.publicUrl, secret: tokenSecret!, store }) : undefined;
  const limiter = auth.mode === 'oidc' ? createRateLimiter(store, auth.rateLimits.windowSeconds) : undefined;
  const rooms = createRoomService({ store, provider, defaultAccessLevel: settings.defaultAccessLevel, staleClaimMs: settings.staleClaimMs, log });
  const calendars = createCalendarService({ caldav: settings.caldav, rooms, instanceUrl: settings.instanceUrl, instanceName: settings.instanceName, log });

  // Every middleware is chosen at start-up: one that has nothing to do in this configuration is not mounted.
  app.use(requestId());
  const logRequests = accessLog(log);
  if (logRequests) app.use(logRequests);
  app.use(securityHeaders());
  app.use(cors(settings.corsOrigins));
  app.use(bodyLimit());
  app.use('/v1/*', apiAuth(auth, tokens));
  app.use('/j/*', joinAuth(auth, tokens, joinSessions));
  const limitRoomCreation = auth.mode === 'oidc' ? roomCreationLimit(limiter!, auth) : undefined;

  app.route('/', systemRoutes(settings, rooms, provider, log));
  app.route('/', roomRoutes(rooms, settings.instanceName, limitRoomCreation));
  app.route('/', auditRoutes(rooms));
  let signIn: SignInService | undefined;
  if (auth.mode === 'local') {
    // A client configured for sign-in meets a local gateway: say so instead of a bare 404.
    documentRoute(app, {
      method: 'get',
      path: '/auth/login',
      summary: 'Local single-user mode: a page saying no sign-in is needed',
      responses: { 404: fileResponse('The page (fr/en)', 'text/html') },
    });
    app.get('/auth/login', (c) => authPage(c, pickLang(c.req.query('lang'), c.req.header('accept-language')), 'localMode', 404));
  } else {
    signIn = createSignInService({ settings: auth, publicUrl: settings.publicUrl, rp: createRelyingParty(auth), tokens: tokens!, joinSessions: joinSessions!, store, limiter: limiter!, log });
    app.route('/', authRoutes(signIn, auth, log));
  }
  app.route('/', icsRoutes(rooms, settings.instanceName, limitRoomCreation));
  app.route('/', calendarRoutes(calendars));
  const switcher = createSwitchService(calendars, settings.instanceUrl);
  app.route('/', switchRoutes(calendars, switcher));
  app.route('/', migrationRoutes(calendars, createMigrationService({ calendars, switcher, store, log, staleClaimMs: settings.staleClaimMs })));
  app.route('/', pageRoutes(settings));
  app.route('/', switchPageRoutes(settings));
  app.route('/', outlookRoutes(settings));
  app.route('/', deployRoutes(settings));
  const joinSignIn = signIn?.joinSignIn;
  app.route('/', joinRoutes(rooms, joinSignIn && ((c, code) => joinSignIn(c, pickLang(undefined, c.req.header('accept-language')), code))));
  app.route('/', webhookRoutes(rooms, log));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Visio gateway', version: VERSION, description: 'Creates Visio rooms, invitations and calendar files for the Visio integrations.' },
  });

  app.notFound(notFoundProblem);
  app.onError(errorProblem(log));
  return app;
}
