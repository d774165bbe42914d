/** The gateway's HTTP application: middleware, routes and the one error shape. */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.js';
import type { GatewaySettings } from './config.js';
import { localUser } from './identity.js';
import type { Logger } from './logger.js';
import { newRouter } from './openapi.js';
import { ProblemError, problemResponse, type ProblemType } from './problem.js';
import type { RoomProvider } from './providers/provider.js';
import { createCalendarService } from './calendars.js';
import { createRoomService } from './rooms.js';
import { calendarRoutes } from './routes/calendars.js';
import { icsRoutes } from './routes/ics.js';
import { pageRoutes } from './routes/page.js';
import { roomRoutes } from './routes/rooms.js';
import { systemRoutes, VERSION } from './routes/system.js';
import type { Store } from './store/store.js';

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

export function createApp({ settings, store, provider, log }: AppDeps): Hono<AppEnv> {
  const app = newRouter();
  const rooms = createRoomService({ store, provider, defaultAccessLevel: settings.defaultAccessLevel });
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
  app.use(secureHeaders({ crossOriginResourcePolicy: 'same-site', referrerPolicy: 'no-referrer' }));
  app.use(async (c, next) => {
    await next();
    // Pages set their own policy; everything else (JSON, files) may load and frame nothing.
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', API_CSP);
  });
  app.use(
    cors({
      origin: (origin) => (settings.corsOrigins.includes(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-visio-client', 'x-request-id', 'x-caldav-authorization', 'x-caldav-server'],
      exposeHeaders: ['content-disposition', 'location', 'x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after'],
      maxAge: 600,
    }),
  );
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => problemResponse(c, new ProblemError(413, 'payloadTooLarge', 'Request body too large', `The limit is ${MAX_BODY_BYTES / 1024} KB.`)),
    }),
  );
  app.use('/v1/*', async (c, next) => {
    const client = c.req.header('x-visio-client');
    c.set('client', client && /^[a-z0-9-]{1,32}$/.test(client) ? client : 'unknown');
    if (c.req.path !== '/v1/config') c.set('user', localUser(settings.auth.user.email, settings.auth.user.name));
    await next();
  });

  app.route('/', systemRoutes(settings, store, provider, log));
  app.route('/', roomRoutes(rooms, settings.instanceName));
  app.route('/', icsRoutes(rooms, settings.instanceName));
  app.route('/', calendarRoutes(calendars));
  app.route('/', pageRoutes(settings));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Visio gateway', version: VERSION, description: 'Creates Visio rooms, invitations and calendar files for the Visio integrations.' },
  });

  app.notFound((c) => problemResponse(c, new ProblemError(404, 'notFound', 'Not found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      const [type, title] = HTTP_PROBLEMS[error.status] ?? ['internal', 'Request refused'];
      return problemResponse(c, new ProblemError(error.status, type, title, error.message));
    }
    log.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    return problemResponse(c, new ProblemError(500, 'internal', 'Internal error', 'The gateway failed; the request id helps the administrator find out why.'));
  });
  return app;
}
