/**
 * The shared store for several gateway instances: PostgreSQL through a connection pool (`pg`).
 * Every decision that must hold across instances is one atomic statement or one transaction in the
 * database; time for idempotency claims is the database's clock, so instances' clocks may differ.
 */
import pg from 'pg';
import { DuplicateRoomError, StoreUnavailableError, type KeyClaim, type RoomPageQuery, type Store, type StoredRoom } from './store.js';

/** Applied in order, once, under an advisory lock: instances starting together never race on them. */
const MIGRATIONS: string[] = [
  // COLLATE "C" on ordered columns: pages sort bytewise, as in SQLite, whatever the database's locale.
  `CREATE TABLE rooms (
     code TEXT COLLATE "C" PRIMARY KEY,
     owner TEXT NOT NULL,
     url TEXT NOT NULL,
     access_level TEXT NOT NULL,
     provider TEXT NOT NULL,
     title TEXT,
     event_uid TEXT,
     telephony JSONB,
     provider_ref TEXT,
     created_at TEXT COLLATE "C" NOT NULL
   );
   CREATE UNIQUE INDEX rooms_owner_event ON rooms (owner, event_uid) WHERE event_uid IS NOT NULL;
   CREATE INDEX rooms_owner_created ON rooms (owner, created_at DESC, code DESC);
   CREATE TABLE idempotency_keys (
     owner TEXT NOT NULL,
     key TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     room_code TEXT,
     claimed_at BIGINT NOT NULL,
     PRIMARY KEY (owner, key)
   );
   CREATE INDEX idempotency_room ON idempotency_keys (room_code);`,
];

/** Arbitrary constant naming the migration lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK = 0x76697369_6f00n; // "visio\0"

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface PostgresStoreOptions {
  connectionString: string;
  /** Connections per instance. */
  poolSize?: number;
  /** How long a request waits for a connection before failing with 503. */
  connectTimeoutMs?: number;
  /** Statements running longer than this are cancelled by the server. */
  statementTimeoutMs?: number;
  /** Called with connection errors of idle pooled connections (database restarting); they are replaced. */
  onIdleError?: (error: Error) => void;
}

interface RoomRow {
  code: string;
  owner: string;
  url: string;
  access_level: StoredRoom['accessLevel'];
  provider: StoredRoom['provider'];
  title: string | null;
  event_uid: string | null;
  telephony: StoredRoom['telephony'] | null;
  provider_ref: string | null;
  created_at: string;
}

function toRoom(row: RoomRow): StoredRoom {
  return {
    code: row.code,
    owner: row.owner,
    url: row.url,
    accessLevel: row.access_level,
    provider: row.provider,
    title: row.title ?? undefined,
    eventUid: row.event_uid ?? undefined,
    telephony: row.telephony ?? undefined,
    providerRef: row.provider_ref ?? undefined,
    createdAt: row.created_at,
  };
}

/**
 * SQLSTATE classes that mean "the database cannot serve now" rather than "this statement is wrong":
 * 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown, restart,
 * cancelled by statement_timeout), 58 system error. Errors without SQLSTATE come from the socket.
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (error instanceof pg.DatabaseError) return typeof code === 'string' && UNAVAILABLE_CLASSES.has(code.slice(0, 2));
  // ECONNREFUSED, ECONNRESET, ETIMEDOUT, "Connection terminated", pool connect timeout, ...
  return true;
}

/** Runs `fn`, turning connection failures into StoreUnavailableError (503) and unique violations into DuplicateRoomError. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === '23505') {
      throw new DuplicateRoomError(error.constraint === 'rooms_owner_event' ? 'eventUid' : 'code');
    }
    if (isUnavailable(error)) throw new StoreUnavailableError({ cause: error });
    throw error;
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    application_name: 'visio-gateway',
  });
  // Without a listener, an idle connection cut by a database restart would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));

  try {
    await guarded(() => migrate(pool));
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }

  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => guarded(() => pool.query<R>(text, values));

  async function transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return guarded(async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // A broken connection is destroyed rather than returned to the pool.
        await client.query('ROLLBACK').catch(() => {});
        client.release(isUnavailable(error) ? (error as Error) : undefined);
        throw error;
      }
    });
  }

  return {
    async claimKey(owner, key, fingerprint, staleAfterMs): Promise<KeyClaim> {
      // One statement: insert the claim, or take over a stale unfinished claim with the same fingerprint.
      // The row lock of ON CONFLICT DO UPDATE makes exactly one of several concurrent callers win.
      const won = await query(
        `INSERT INTO idempotency_keys (owner, key, fingerprint, room_code, claimed_at)
         VALUES ($1, $2, $3, NULL, ${NOW_MS})
         ON CONFLICT (owner, key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
           WHERE idempotency_keys.room_code IS NULL
             AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
             AND EXCLUDED.claimed_at - idempotency_keys.claimed_at > $4
         RETURNING 1`,
        [owner, key, fingerprint, staleAfterMs],
      );
      if (won.rowCount === 1) return { state: 'claimed' };
      const { rows } = await query<{ fingerprint: string; room_code: string | null }>(
        'SELECT fingerprint, room_code FROM idempotency_keys WHERE owner = $1 AND key = $2',
        [owner, key],
      );
      const row = rows[0];
      // Released between the two statements: the caller asks again.
      if (!row) return { state: 'pending' };
      if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (row.room_code) return { state: 'done', roomCode: row.room_code };
      return { state: 'pending' };
    },
    async completeKey(owner, key, roomCode) {
      await query('UPDATE idempotency_keys SET room_code = $3 WHERE owner = $1 AND key = $2', [owner, key, roomCode]);
    },
    async releaseKey(owner, key) {
      await query('DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND room_code IS NULL', [owner, key]);
    },
    async insertRoom(room, completes) {
      const values = [
        room.code,
        room.owner,
        room.url,
        room.accessLevel,
        room.provider,
        room.title ?? null,
        room.eventUid ?? null,
        room.telephony ? JSON.stringify(room.telephony) : null,
        room.providerRef ?? null,
        room.createdAt,
      ];
      const insert = `INSERT INTO rooms (code, owner, url, access_level, provider, title, event_uid, telephony, provider_ref, created_at)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
      if (!completes) {
        await query(insert, values);
        return;
      }
      // One statement, so the room and its key's completion commit together or not at all.
      await query(
        `WITH inserted AS (${insert} RETURNING code)
         UPDATE idempotency_keys SET room_code = (SELECT code FROM inserted) WHERE owner = $11 AND key = $12`,
        [...values, completes.owner, completes.key],
      );
    },
    async getRoom(code) {
      const { rows } = await query<RoomRow>('SELECT * FROM rooms WHERE code = $1', [code]);
      return rows[0] ? toRoom(rows[0]) : null;
    },
    async findRoomByEvent(owner, eventUid) {
      const { rows } = await query<RoomRow>('SELECT * FROM rooms WHERE owner = $1 AND event_uid = $2', [owner, eventUid]);
      return rows[0] ? toRoom(rows[0]) : null;
    },
    async listRooms({ owner, limit, after }: RoomPageQuery) {
      const { rows } = after
        ? await query<RoomRow>(
            'SELECT * FROM rooms WHERE owner = $1 AND (created_at, code) < ($2, $3) ORDER BY created_at DESC, code DESC LIMIT $4',
            [owner, after.createdAt, after.code, limit],
          )
        : await query<RoomRow>('SELECT * FROM rooms WHERE owner = $1 ORDER BY created_at DESC, code DESC LIMIT $2', [owner, limit]);
      return rows.map(toRoom);
    },
    async deleteRoom(code, owner) {
      return transaction(async (client) => {
        const deleted = (await client.query('DELETE FROM rooms WHERE code = $1 AND owner = $2', [code, owner])).rowCount === 1;
        if (deleted) await client.query('DELETE FROM idempotency_keys WHERE room_code = $1', [code]);
        return deleted;
      });
    },
    async ping() {
      await query('SELECT 1', []);
    },
    async close() {
      await pool.end();
    },
  };
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Held until COMMIT: a second instance waits here, then finds the work done.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const done = rows[0]?.v ?? 0;
    for (const [i, sql] of MIGRATIONS.slice(done).entries()) {
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [done + i + 1]);
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    client.release(error as Error);
    throw error;
  }
}
