/** Gateway configuration from the environment, validated once at start-up. */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ACCESS_LEVELS, PROVIDERS, PUBLIC_INSTANCE_URL } from '@visio/shared';
import { AuthConfigError, AuthEnvSchema, authSettings, type AuthSettings } from './auth/config.js';
import type { CaldavSettings } from './caldav/guard.js';
import { ConfigError, describeIssues, httpUrl, list } from './env.js';
import type { Logger } from './logger.js';
import { ROOM_PROVIDERS } from './providers/index.js';
import type { ProviderContext, RoomProvider } from './providers/provider.js';
import type { Store } from './store/store.js';

export { ConfigError } from './env.js';

// Extension origins have no URL origin in WHATWG terms ("null"), so they are matched by shape.
const EXTENSION_ORIGIN = /^(chrome|moz|safari-web)-extension:\/\/[a-z0-9-]+$/i;
const origin = z.string().refine((v) => {
  if (EXTENSION_ORIGIN.test(v)) return true;
  try {
    const u = new URL(v);
    return u.origin === v && (u.protocol === 'https:' || u.protocol === 'http:');
  } catch {
    return false;
  }
}, 'each CORS origin must be a bare origin such as https://calendar.example.gouv.fr');

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-f:]+\/\d{1,3})$/i;
const cidr = z.string().refine((v) => {
  if (!CIDR.test(v)) return false;
  const [net, bits] = v.split('/') as [string, string];
  const family = isIP(net);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}, 'each private network must be a CIDR range such as 10.20.0.0/16');

// A CalDAV server base URL: http(s), no credentials, query or fragment.
const caldavServer = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && !u.search && !u.hash;
  } catch {
    return false;
  }
}, 'each CalDAV server must be a base URL such as https://sogo.example.gouv.fr/SOGo/dav/');

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  VISIO_INSTANCE_URL: httpUrl.default(PUBLIC_INSTANCE_URL),
  VISIO_INSTANCE_NAME: z.string().min(1).max(80).default('Visio'),
  VISIO_PROVIDER: z.enum(PROVIDERS).default('standalone'),
  VISIO_DATA_DIR: z.string().min(1).default('data'),
  // Deployment (/deploy): the key signing the Chromium package, and where the clients' builds are.
  VISIO_CRX_KEY_FILE: z.string().min(1).optional(),
  VISIO_CLIENTS_DIR: z.string().min(1).optional(),
  VISIO_DEFAULT_ACCESS_LEVEL: z.enum(ACCESS_LEVELS).default('trusted'),
  VISIO_PUBLIC_URL: httpUrl.optional(),
  VISIO_LOCAL_USER_EMAIL: z.email().default('agent@localhost.localdomain'),
  VISIO_LOCAL_USER_NAME: z.string().min(1).max(200).default('Agent'),
  CORS_ORIGINS: list.pipe(z.array(origin)),
  CALDAV_SERVERS: list.pipe(z.array(caldavServer)),
  CALDAV_PRIVATE_NETWORKS: list.pipe(z.array(cidr)),
  CALDAV_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CALDAV_MAX_OBJECT_BYTES: z.coerce.number().int().min(4096).max(268_435_456).default(2_097_152),
  CALDAV_MAX_MULTISTATUS_BYTES: z.coerce.number().int().min(4096).max(1_073_741_824).default(8_388_608),
  CALDAV_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
  CALDAV_EXPANSION_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
  CALDAV_DISCOVERY_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ...AuthEnvSchema.shape,

  // Each room provider's own variables: providers/*.ts (ROOM_PROVIDERS).
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/[^/]/.test(v) && URL.canParse(v), 'must be a PostgreSQL URL: postgres://user:password@host:5432/database')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  VISIO_IDEMPOTENCY_STALE_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  // Room lifecycle: meetings over this many days ago, and instant rooms this old, are ended.
  ROOM_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // Seconds a room made for an event editor may wait for the event's save (1 hour to 30 days).
  ROOM_DRAFT_TTL: z.coerce.number().int().min(3600).max(2_592_000).default(172_800),
});

export type Env = z.output<typeof EnvSchema>;

export interface GatewaySettings {
  port: number;
  host: string;
  instanceUrl: string;
  instanceName: string;
  provider: Env['VISIO_PROVIDER'];
  dataDir: string;
  defaultAccessLevel: Env['VISIO_DEFAULT_ACCESS_LEVEL'];
  publicUrl: string;
  corsOrigins: string[];
  logLevel: Env['LOG_LEVEL'];
  /** CalDAV servers the calendar routes may reach (SSRF allowlist). */
  caldav: CaldavSettings;
  /** PostgreSQL, shared by every instance; null: the embedded SQLite store in dataDir. */
  database: { url: string; poolSize: number; description: string } | null;
  /** An unfinished idempotency claim older than this is taken over (its holder died). */
  staleClaimMs: number;
  /** Rooms end on their own: `retentionDays` after their meeting (or creation, without event), `draftTtlMs` unattached. */
  roomLifecycle: { retentionDays: number; draftTtlMs: number };
  /** /deploy: the key signing the Chromium package (else generated in dataDir), and where the clients' builds are. */
  deploy: { crxKeyFile: string | undefined; clientsDir: string | undefined };
  auth: AuthSettings;
  /** Builds the provider VISIO_PROVIDER names, from its own variables (checked here) and these settings. */
  createProvider(services: { store: Store; log: Logger }): RoomProvider;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1';
  return false;
}

/** host:port/database, for logs and banners: never the user or password. */
export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `PostgreSQL ${u.host || 'localhost'}${u.pathname || '/'}`;
}

export function loadSettings(source: Record<string, string | undefined> = process.env): GatewaySettings {
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(given);
  // Every provider's variables are checked when given; the chosen provider's required ones must be.
  const chosen = parsed.success ? parsed.data.VISIO_PROVIDER : null;
  const lines = parsed.success ? [] : describeIssues(parsed.error.issues, given);
  let build: ((context: ProviderContext) => RoomProvider) | null = null;
  for (const definition of Object.values(ROOM_PROVIDERS)) {
    const own = definition.name === chosen ? definition.env.safeParse(given) : definition.env.partial().safeParse(given);
    if (!own.success) lines.push(...describeIssues(own.error.issues, given, `VISIO_PROVIDER=${definition.name}`));
    else if (definition.name === chosen) build = (context) => definition.create(own.data, context);
  }
  if (!parsed.success || !build || lines.length > 0) throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  const createRoomProvider = build;
  const env = parsed.data;
  const hostForUrl = env.HOST.includes(':') && !env.HOST.startsWith('[') ? `[${env.HOST}]` : env.HOST;
  const publicUrl = env.VISIO_PUBLIC_URL ?? `http://${hostForUrl}:${env.PORT}`;
  let auth: AuthSettings;
  try {
    auth = authSettings(env, publicUrl);
  } catch (error) {
    if (error instanceof AuthConfigError) throw new ConfigError(`Invalid configuration:\n  ${error.message}`);
    throw error;
  }
  if (auth.mode === 'local' && !isLoopbackHost(env.HOST)) {
    throw new ConfigError(`Local single-user mode only listens on loopback; HOST=${env.HOST} would let anyone on the network act as ${env.VISIO_LOCAL_USER_EMAIL}. Use HOST=127.0.0.1 (or ::1).`);
  }
  const localUserEmail = auth.mode === 'local' ? auth.user.email : null;
  return {
    port: env.PORT,
    host: env.HOST,
    instanceUrl: env.VISIO_INSTANCE_URL,
    instanceName: env.VISIO_INSTANCE_NAME,
    provider: env.VISIO_PROVIDER,
    dataDir: resolve(env.VISIO_DATA_DIR),
    defaultAccessLevel: env.VISIO_DEFAULT_ACCESS_LEVEL,
    publicUrl,
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    caldav: {
      servers: env.CALDAV_SERVERS,
      privateNetworks: env.CALDAV_PRIVATE_NETWORKS,
      timeoutMs: env.CALDAV_TIMEOUT_MS,
      maxObjectBytes: env.CALDAV_MAX_OBJECT_BYTES,
      maxMultistatusBytes: env.CALDAV_MAX_MULTISTATUS_BYTES,
      connections: env.CALDAV_CONNECTIONS,
      expansionMs: env.CALDAV_EXPANSION_MS,
      discoveryTtlMs: env.CALDAV_DISCOVERY_TTL_MS,
    },
    database: env.DATABASE_URL ? { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, description: describeDatabase(env.DATABASE_URL) } : null,
    staleClaimMs: env.VISIO_IDEMPOTENCY_STALE_MS,
    roomLifecycle: { retentionDays: env.ROOM_RETENTION_DAYS, draftTtlMs: env.ROOM_DRAFT_TTL * 1000 },
    deploy: { crxKeyFile: env.VISIO_CRX_KEY_FILE, clientsDir: env.VISIO_CLIENTS_DIR },
    auth,
    createProvider: ({ store, log }) => createRoomProvider({ instanceUrl: env.VISIO_INSTANCE_URL, publicUrl, localUserEmail, store, log }),
  };
}
