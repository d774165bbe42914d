/** Starts the gateway: settings, store, provider, HTTP server, graceful shutdown. */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { loadSettings, type GatewaySettings } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createRetentionJob, type RetentionRun } from './retention.js';
import { createRoomService } from './rooms.js';
import { openPostgresStore } from './store/postgres.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

export interface RunningGateway {
  url: string;
  settings: GatewaySettings;
  /** Runs the room retention job now (it also runs hourly). */
  runRetention(): Promise<RetentionRun>;
  close(): Promise<void>;
}

export async function startGateway(env: Record<string, string | undefined> = process.env, log?: Logger): Promise<RunningGateway> {
  const first = loadSettings(env);
  const logger = log ?? createLogger(first.logLevel);
  const store = await openStore(first, logger);

  // The server listens before the app is built: with PORT=0 the port, and so the public URL, is known
  // only then, and the settings are final (frozen) before any route or provider reads them. The app is
  // built in the same turn as the listen callback, so no request arrives before it.
  // `bindings` are Node's request and response (getConnInfo reads the client address from them).
  let handle: (request: Request, bindings: object) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  const server: ServerType = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: (request, bindings) => handle(request, bindings), port: first.port, hostname: first.host }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const settings = deepFreeze(port === first.port ? first : loadSettings({ ...env, PORT: String(port) }));
  const provider = settings.createProvider({ store, log: logger });
  const app = createApp({ settings, store, provider, log: logger });
  handle = (request, bindings) => app.fetch(request, bindings);
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;
  logger.info('gateway listening', { url, provider: provider.name, auth: settings.auth.mode, store: settings.database?.description ?? `SQLite in ${settings.dataDir}` });

  // Expired codes, refresh tokens and rate-limit windows are swept hourly (and once at start).
  const purge = () => store.purgeExpired(Date.now()).catch((error: unknown) => logger.warn('purge of expired sign-in data failed', { error }));
  void purge();
  const purgeTimer = setInterval(purge, 3_600_000);
  purgeTimer.unref();

  // Rooms whose meeting is long over, abandoned drafts, failed provider deletions: hourly, and once at start.
  const retention = createRetentionJob({
    store,
    rooms: createRoomService({ store, provider, defaultAccessLevel: settings.defaultAccessLevel, log: logger }),
    ...settings.roomLifecycle,
    log: logger,
  });
  const runRetention = () => retention().catch((error: unknown) => logger.warn('room retention job failed', { error }));
  const retentionRun = runRetention();
  const retentionTimer = setInterval(runRetention, 3_600_000);
  retentionTimer.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    settings,
    runRetention: retention,
    close() {
      clearInterval(purgeTimer);
      clearInterval(retentionTimer);
      closing ??= new Promise<void>((resolve) => {
        // Finish in-flight requests, then release the store.
        server.close(() => resolve());
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      })
        .then(() => retentionRun)
        .then(() => store.close());
      return closing;
    },
  };
}

/** PostgreSQL when DATABASE_URL is set (several instances share it), else the embedded SQLite file. */
export async function openStore(settings: GatewaySettings, logger: Pick<Logger, 'warn'>): Promise<Store> {
  if (!settings.database) return openSqliteStore(settings.dataDir);
  return openPostgresStore({
    connectionString: settings.database.url,
    poolSize: settings.database.poolSize,
    onIdleError: (error) => logger.warn('database connection lost; it will be replaced', { error: error.message }),
  });
}

/** Freezes plain objects and arrays all the way down (Maps, Sets and functions are left as they are). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
