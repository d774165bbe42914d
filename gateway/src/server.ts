/** Starts the gateway: settings, store, provider, HTTP server, graceful shutdown. */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { loadSettings, type GatewaySettings } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createProvider } from './providers/index.js';
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
  const settings = loadSettings(env);
  const logger = log ?? createLogger(settings.logLevel);
  const store = await openStore(settings, logger);
  const provider = createProvider(settings, store, logger);
  const app = createApp({ settings, store, provider, log: logger });

  const server: ServerType = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;
  // Without VISIO_PUBLIC_URL the public URL is where it listens; with PORT=0 that is known only now.
  if (!settings.env.VISIO_PUBLIC_URL) settings.publicUrl = url;
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
