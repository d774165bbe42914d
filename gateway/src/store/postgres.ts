/**
 * The shared store for several gateway instances: PostgreSQL through a connection pool (`pg`).
 * Every decision that must hold across instances is one atomic statement or one transaction in the
 * database; time for idempotency claims is the database's clock, so instances' clocks may differ.
 */
import pg from 'pg';
import {
  DuplicateRoomError,
  StoreUnavailableError,
  type AuditEntry,
  type AuthStore,
  type AuditStamp,
  type KeyRef,
  type KeyClaim,
  type PendingCreation,
  type RetentionQuery,
  type RefreshTokenRecord,
  type RefreshUse,
  type RoomPageQuery,
  type ServiceKeyRecord,
  type Store,
  type StoredRoom,
  type TakeResult,
} from './store.js';
import { batched } from './batched.js';
import { POSTGRES_MIGRATION_TABLES, postgresMigrationMethods, type Query, type Transaction } from './migration-rows.js';
import { endAction, ROOM_INSERT_COLUMNS, ROOM_LIFECYCLE_MIGRATION, roomInsertValues, toRoom, type RoomRow } from './room-row.js';

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
  // Sign-in, service keys, rate limits, audit trail (issue 3); same numbering as SQLite.
  `CREATE TABLE one_time (
     kind TEXT NOT NULL,
     hash TEXT NOT NULL,
     payload JSONB NOT NULL,
     expires_at BIGINT NOT NULL,
     used_at BIGINT,
     family_id TEXT,
     PRIMARY KEY (kind, hash)
   );
   CREATE INDEX one_time_expiry ON one_time (expires_at);
   CREATE TABLE token_families (
     id TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     sub TEXT NOT NULL,
     expires_at BIGINT NOT NULL,
     revoked_at BIGINT
   );
   CREATE TABLE refresh_tokens (
     hash TEXT PRIMARY KEY,
     family_id TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
     client_id TEXT NOT NULL,
     user_json JSONB NOT NULL,
     expires_at BIGINT NOT NULL,
     used_at BIGINT
   );
   CREATE INDEX refresh_family ON refresh_tokens (family_id);
   CREATE TABLE service_keys (
     id TEXT COLLATE "C" PRIMARY KEY,
     name TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     scopes JSONB NOT NULL,
     created_at TEXT COLLATE "C" NOT NULL,
     revoked_at TEXT
   );
   CREATE UNIQUE INDEX service_keys_active_name ON service_keys (name) WHERE revoked_at IS NULL;
   CREATE TABLE rate_limits (
     bucket TEXT PRIMARY KEY,
     window_start BIGINT NOT NULL,
     count INTEGER NOT NULL
   );
   CREATE TABLE audit (
     owner TEXT NOT NULL,
     at TEXT COLLATE "C" NOT NULL,
     room_code TEXT COLLATE "C" NOT NULL,
     action TEXT COLLATE "C" NOT NULL,
     client TEXT NOT NULL,
     PRIMARY KEY (owner, at, room_code, action)
   );`,
  // Ended rooms and pending Meet creations (issue 4).
  `ALTER TABLE rooms ADD COLUMN ended_at TEXT;
   CREATE INDEX rooms_provider_ref ON rooms (provider, provider_ref) WHERE provider_ref IS NOT NULL;
   CREATE TABLE pending_creations (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     provider TEXT NOT NULL,
     started_at TEXT NOT NULL,
     baseline JSONB NOT NULL,
     provider_ref TEXT
   );
   CREATE UNIQUE INDEX pending_creations_ref ON pending_creations (provider, provider_ref) WHERE provider_ref IS NOT NULL;`,
  // Switch to Visio runs (issue 19).
  POSTGRES_MIGRATION_TABLES,
  // The room follows its meeting (issue 18); same numbering as SQLite.
  ROOM_LIFECYCLE_MIGRATION('JSONB', 'BOOLEAN NOT NULL DEFAULT FALSE'),
];

interface Claim {
  owner: string;
  key: string;
  fingerprint: string;
  staleAfterMs: number;
}

const claimKeyOf = (c: { owner: string; key: string }) => JSON.stringify([c.owner, c.key]);

interface RoomInsert {
  room: StoredRoom;
  completes: KeyRef | undefined;
  audit: AuditStamp | undefined;
}

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Claims several keys at once (arrays $1–$3); returns those won. */
const CLAIM_KEYS = `INSERT INTO idempotency_keys (owner, key, fingerprint, room_code, claimed_at)
  SELECT owner, key, fingerprint, NULL, ${NOW_MS} FROM unnest($1::text[], $2::text[], $3::text[]) AS t(owner, key, fingerprint)
  ON CONFLICT (owner, key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
    WHERE idempotency_keys.room_code IS NULL
      AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
      AND EXCLUDED.claimed_at - idempotency_keys.claimed_at > $4
  RETURNING owner, key`;

/** Inserts several rooms (one array per column), completes their keys and writes their audit entries. */
const INSERT_ROOMS = `WITH input AS (
    SELECT * FROM unnest(${Array.from({ length: 18 }, (_, i) => `$${i + 1}::text[]`).join(', ')})
      AS t(${ROOM_INSERT_COLUMNS}, key_owner, key, client, at)
  ), room AS (
    INSERT INTO rooms (${ROOM_INSERT_COLUMNS})
    SELECT code, owner, url, access_level, provider, title, event_uid, telephony::jsonb, provider_ref, created_at,
           owner_email, schedule::jsonb, schedule_ends_at, attached_at FROM input
  ), completed AS (
    UPDATE idempotency_keys k SET room_code = i.code FROM input i
     WHERE i.key_owner IS NOT NULL AND k.owner = i.key_owner AND k.key = i.key
  )
  INSERT INTO audit (owner, action, room_code, client, at)
  SELECT owner, 'room.create', code, client, at FROM input WHERE client IS NOT NULL
  ON CONFLICT DO NOTHING`;

/** The arrays of INSERT_ROOMS: column by column. */
function insertColumns(inserts: RoomInsert[]): (string | null)[][] {
  const rows = inserts.map(({ room, completes, audit }) => [...roomInsertValues(room), completes?.owner ?? null, completes?.key ?? null, audit?.client ?? null, audit?.at ?? null]);
  return Array.from({ length: 18 }, (_, column) => rows.map((row) => row[column] ?? null));
}

/** Arbitrary constant naming the migration lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK = 0x76697369_6f00n; // "visio\0"

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
    // The named statements of room creation join their input to idempotency_keys. A generic plan, cached
    // for the connection's life, is chosen while the table is small (a hash join over a sequential scan)
    // and kept as it grows to millions of keys; a plan made for each call's arrays and the table's current
    // size uses the primary key. Only named statements are cached, so this touches nothing else.
    options: '-c plan_cache_mode=force_custom_plan',
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
  // The statements of every room creation, prepared once per connection: later calls send no SQL text to
  // parse and plan again.
  const prepared = <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]) => guarded(() => pool.query<R>({ name, text, values }));

  async function transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return guarded(async () => {
      const client = await pool.connect();
      // A checked-out client's socket errors (database restarting) are not the pool's to catch: without
      // this listener they would crash the process; the failing query rejects on its own.
      const onError = () => {};
      client.on('error', onError);
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
      } finally {
        client.off('error', onError);
      }
    });
  }

  // Room creation's two statements, each shared by the creations of one event-loop turn (batched.ts).
  // Refused by the database (guarded() has made unique violations DuplicateRoomError): nothing was written.
  const retryAlone = (error: unknown) => error instanceof DuplicateRoomError || (error instanceof pg.DatabaseError && !isUnavailable(error));
  const claimBatches = new Map<number, (claim: Claim) => Promise<boolean>>();
  const claimOnce = (claim: Claim) => {
    let run = claimBatches.get(claim.staleAfterMs);
    if (!run) {
      run = batched<Claim, boolean>({
        // One statement: insert the claim, or take over a stale unfinished claim with the same fingerprint.
        // The row lock of ON CONFLICT DO UPDATE makes exactly one of several concurrent callers win.
        one: async (c) => (await prepared('claim-key', CLAIM_KEYS, [[c.owner], [c.key], [c.fingerprint], c.staleAfterMs])).rowCount === 1,
        many: async (claims) => {
          const { rows } = await prepared<{ owner: string; key: string }>('claim-key', CLAIM_KEYS, [
            claims.map((c) => c.owner),
            claims.map((c) => c.key),
            claims.map((c) => c.fingerprint),
            claim.staleAfterMs,
          ]);
          const won = new Set(rows.map((r) => claimKeyOf(r)));
          return claims.map((c) => won.has(claimKeyOf(c)));
        },
        retryAlone,
        key: claimKeyOf,
      });
      claimBatches.set(claim.staleAfterMs, run);
    }
    return run(claim);
  };
  // One statement, so one implicit transaction: each room, its key's completion and its audit entry commit
  // together or not at all, and a statement that reached the database commits even if this instance dies.
  const insertOnce = batched<RoomInsert, void>({
    one: async (r) => {
      await prepared('insert-rooms', INSERT_ROOMS, insertColumns([r]));
    },
    many: async (inserts) => {
      await prepared('insert-rooms', INSERT_ROOMS, insertColumns(inserts));
      return inserts.map(() => undefined);
    },
    retryAlone,
  });

  return {
    ...authMethods(query, transaction),
    ...postgresMigrationMethods(query, transaction),
    async claimKey(owner, key, fingerprint, staleAfterMs): Promise<KeyClaim> {
      if (await claimOnce({ owner, key, fingerprint, staleAfterMs })) return { state: 'claimed' };
      const { rows } = await query<{ fingerprint: string; room_code: string | null }>('SELECT fingerprint, room_code FROM idempotency_keys WHERE owner = $1 AND key = $2', [owner, key]);
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
    async insertRoom(room, options) {
      await insertOnce({ room, completes: options?.completes, audit: options?.audit });
    },
    async getRoom(code) {
      const { rows } = await query<RoomRow>('SELECT * FROM rooms WHERE code = $1', [code]);
      return rows[0] ? toRoom(rows[0]) : null;
    },
    async findRoomByEvent(owner, eventUid) {
      const { rows } = await query<RoomRow>('SELECT * FROM rooms WHERE owner = $1 AND event_uid = $2 AND released_at IS NULL', [owner, eventUid]);
      return rows[0] ? toRoom(rows[0]) : null;
    },
    async listRooms({ owner, limit, after, state = 'open' }: RoomPageQuery) {
      const which = `($2::text = 'all' OR ($2::text = 'open') = (released_at IS NULL))`;
      const { rows } = after
        ? await query<RoomRow>(`SELECT * FROM rooms WHERE owner = $1 AND ${which} AND (created_at, code) < ($3, $4) ORDER BY created_at DESC, code DESC LIMIT $5`, [
            owner,
            state,
            after.createdAt,
            after.code,
            limit,
          ])
        : await query<RoomRow>(`SELECT * FROM rooms WHERE owner = $1 AND ${which} ORDER BY created_at DESC, code DESC LIMIT $3`, [owner, state, limit]);
      return rows.map(toRoom);
    },
    async deleteRoom(code, owner, audit) {
      return transaction(async (client) => {
        const deleted = (await client.query('DELETE FROM rooms WHERE code = $1 AND owner = $2', [code, owner])).rowCount === 1;
        if (deleted) await client.query('DELETE FROM idempotency_keys WHERE room_code = $1', [code]);
        if (deleted && audit) await client.query(AUDIT_INSERT, [owner, 'room.delete', code, audit.client, audit.at]);
        return deleted;
      });
    },
    async markRoomEnded(code, endedAt) {
      return (await query('UPDATE rooms SET ended_at = $2 WHERE code = $1', [code, endedAt])).rowCount === 1;
    },
    async setSchedule(code, owner, schedule, endsAt, at) {
      await query(
        `UPDATE rooms SET schedule = $3, schedule_ends_at = $4, attached_at = COALESCE(attached_at, $5)
         WHERE code = $1 AND owner = $2 AND released_at IS NULL`,
        [code, owner, JSON.stringify(schedule), endsAt, at],
      );
      const { rows } = await query<RoomRow>('SELECT * FROM rooms WHERE code = $1 AND owner = $2', [code, owner]);
      return rows[0] ? toRoom(rows[0]) : null;
    },
    async attachRoom(code, at) {
      await query('UPDATE rooms SET attached_at = COALESCE(attached_at, $2) WHERE code = $1', [code, at]);
    },
    async endRoom(code, e) {
      // One statement: the end, the keys' removal and the audit entry commit together, and only the
      // instance whose UPDATE found the room open writes them.
      const { rowCount } = await query(
        `WITH ended AS (
           UPDATE rooms SET released_at = $2, release_reason = $3, cleanup_pending = $4
            WHERE code = $1 AND released_at IS NULL RETURNING code, owner
         ), keys AS (
           DELETE FROM idempotency_keys k USING ended WHERE k.room_code = ended.code
         )
         INSERT INTO audit (owner, action, room_code, client, at)
         SELECT ended.owner, $7, ended.code, $5, $6 FROM ended
         ON CONFLICT DO NOTHING`,
        [code, e.at, e.reason, e.cleanupPending, e.audit.client, e.audit.at, endAction(e)],
      );
      return rowCount === 1;
    },
    async listRoomsToEnd(q: RetentionQuery) {
      const over = await query<RoomRow>('SELECT * FROM rooms WHERE released_at IS NULL AND schedule_ends_at < $1 ORDER BY schedule_ends_at LIMIT $2', [q.scheduleEndedBefore, q.limit]);
      const left = q.limit - over.rows.length;
      const unattached =
        left > 0
          ? await query<RoomRow & { reason: 'retention' | 'draft-expired' }>(
              `SELECT *, CASE WHEN event_uid IS NULL THEN 'retention' ELSE 'draft-expired' END AS reason FROM rooms
             WHERE released_at IS NULL AND attached_at IS NULL AND schedule IS NULL
               AND ((event_uid IS NOT NULL AND created_at < $1) OR (event_uid IS NULL AND created_at < $2))
             ORDER BY created_at LIMIT $3`,
              [q.draftCreatedBefore, q.instantCreatedBefore, left],
            )
          : { rows: [] };
      return [...over.rows.map((row) => ({ room: toRoom(row), reason: 'retention' as const })), ...unattached.rows.map((row) => ({ room: toRoom(row), reason: row.reason }))];
    },
    async listPendingCleanups(limit) {
      const { rows } = await query<RoomRow>('SELECT * FROM rooms WHERE cleanup_pending = TRUE ORDER BY released_at LIMIT $1', [limit]);
      return rows.map(toRoom);
    },
    async settleCleanup(code) {
      await query('UPDATE rooms SET cleanup_pending = FALSE WHERE code = $1', [code]);
    },
    async runExclusive(job, fn) {
      // A session advisory lock on a connection held for the whole job: another instance's try fails at
      // once and skips this run; the lock goes with the connection if this instance dies.
      const client = await guarded(() => pool.connect());
      const onError = () => {};
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        const { rows } = await guarded(() => client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`job:${job}`]));
        if (!rows[0]?.ok) return false;
        try {
          await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`job:${job}`]).catch((error: Error) => {
            broken = error;
          });
        }
        return true;
      } catch (error) {
        if (isUnavailable(error)) broken = error as Error;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async recordPendingCreation(p: PendingCreation) {
      await query('INSERT INTO pending_creations (id, owner, provider, started_at, baseline) VALUES ($1, $2, $3, $4, $5)', [p.id, p.owner, p.provider, p.startedAt, JSON.stringify(p.baseline)]);
    },
    async getPendingCreation(id) {
      const { rows } = await query<{ id: string; owner: string; provider: StoredRoom['provider']; started_at: string; baseline: string[] }>(
        'SELECT id, owner, provider, started_at, baseline FROM pending_creations WHERE id = $1',
        [id],
      );
      const row = rows[0];
      return row ? { id: row.id, owner: row.owner, provider: row.provider, startedAt: row.started_at, baseline: row.baseline } : null;
    },
    async settlePendingCreation(id, providerRef) {
      return transaction(async (client) => {
        const { rows } = await client.query<{ provider: string }>('SELECT provider FROM pending_creations WHERE id = $1 FOR UPDATE', [id]);
        const pending = rows[0];
        if (!pending) return false;
        // Serialises every settlement of this provider room across instances (the SQLite write lock's role).
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`settle:${pending.provider}:${providerRef}`]);
        const other = await client.query<{ id: string }>('SELECT id FROM pending_creations WHERE provider = $1 AND provider_ref = $2', [pending.provider, providerRef]);
        if (other.rows[0]) return other.rows[0].id === id;
        if ((await client.query('SELECT 1 FROM rooms WHERE provider = $1 AND provider_ref = $2', [pending.provider, providerRef])).rowCount) return false;
        const settled = await client.query("UPDATE pending_creations SET provider_ref = $2, baseline = '[]' WHERE id = $1 AND provider_ref IS NULL", [id, providerRef]);
        return settled.rowCount === 1;
      });
    },
    async dropPendingCreation(id) {
      await query('DELETE FROM pending_creations WHERE id = $1 AND provider_ref IS NULL', [id]);
    },
    async ping() {
      await query('SELECT 1', []);
    },
    async close() {
      await pool.end();
    },
  };
}

const AUDIT_INSERT = 'INSERT INTO audit (owner, action, room_code, client, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING';

interface ServiceKeyRow {
  id: string;
  name: string;
  hash: string;
  scopes: string[];
  created_at: string;
  revoked_at: string | null;
}

const toServiceKey = (r: ServiceKeyRow): ServiceKeyRecord => ({
  id: r.id,
  name: r.name,
  hash: r.hash,
  scopes: r.scopes,
  createdAt: r.created_at,
  revokedAt: r.revoked_at ?? undefined,
});

/** Sign-in state: each decision (take a code, rotate a token, count a request) is one locked row or one statement. */
function authMethods(query: Query, transaction: Transaction): AuthStore {
  return {
    async putOneTime(kind, hash, payload, expiresAt) {
      await query('INSERT INTO one_time (kind, hash, payload, expires_at) VALUES ($1, $2, $3, $4)', [kind, hash, JSON.stringify(payload), expiresAt]);
    },
    async takeOneTime<T>(kind: string, hash: string, now: number): Promise<TakeResult<T>> {
      return transaction(async (client) => {
        const { rows } = await client.query<{ payload: T; expires_at: string; used_at: string | null; family_id: string | null }>(
          'SELECT payload, expires_at, used_at, family_id FROM one_time WHERE kind = $1 AND hash = $2 FOR UPDATE',
          [kind, hash],
        );
        const row = rows[0];
        if (!row) return { state: 'unknown' };
        if (row.used_at !== null) return { state: 'replayed', familyId: row.family_id };
        await client.query('UPDATE one_time SET used_at = $3 WHERE kind = $1 AND hash = $2', [kind, hash, now]);
        if (Number(row.expires_at) <= now) return { state: 'expired' };
        return { state: 'ok', payload: row.payload };
      });
    },
    async linkOneTime(kind, hash, familyId) {
      await query('UPDATE one_time SET family_id = $3 WHERE kind = $1 AND hash = $2', [kind, hash, familyId]);
    },
    async insertRefreshToken(t) {
      await transaction(async (client) => {
        await client.query('INSERT INTO token_families (id, client_id, sub, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [t.familyId, t.clientId, t.user.sub, t.familyExpiresAt]);
        await client.query('INSERT INTO refresh_tokens (hash, family_id, client_id, user_json, expires_at) VALUES ($1, $2, $3, $4, $5)', [
          t.hash,
          t.familyId,
          t.clientId,
          JSON.stringify(t.user),
          Math.min(t.expiresAt, t.familyExpiresAt),
        ]);
      });
    },
    async useRefreshToken(hash, clientId, now): Promise<RefreshUse> {
      return transaction(async (client) => {
        // FOR UPDATE: of two instances rotating the same token at once, the second sees it used.
        const { rows } = await client.query<{
          family_id: string;
          client_id: string;
          user_json: RefreshTokenRecord['user'];
          expires_at: string;
          used_at: string | null;
          family_expires_at: string;
          revoked_at: string | null;
        }>(
          `SELECT t.family_id, t.client_id, t.user_json, t.expires_at, t.used_at, f.expires_at AS family_expires_at, f.revoked_at
           FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.hash = $1 FOR UPDATE`,
          [hash],
        );
        const row = rows[0];
        if (!row) return { state: 'unknown' };
        if (row.client_id !== clientId) return { state: 'wrong-client' };
        if (row.revoked_at !== null) return { state: 'revoked' };
        if (row.used_at !== null) {
          await client.query('UPDATE token_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [row.family_id, now]);
          return { state: 'reused' };
        }
        const expiresAt = Number(row.expires_at);
        const familyExpiresAt = Number(row.family_expires_at);
        if (expiresAt <= now || familyExpiresAt <= now) return { state: 'expired' };
        await client.query('UPDATE refresh_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL', [hash, now]);
        return { state: 'ok', token: { hash, familyId: row.family_id, clientId: row.client_id, user: row.user_json, expiresAt, familyExpiresAt } };
      });
    },
    async revokeFamily(by, now) {
      if ('familyId' in by) await query('UPDATE token_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [by.familyId, now]);
      else await query('UPDATE token_families SET revoked_at = $2 WHERE id = (SELECT family_id FROM refresh_tokens WHERE hash = $1) AND revoked_at IS NULL', [by.hash, now]);
    },
    async isFamilyActive(familyId, now) {
      return ((await query('SELECT 1 FROM token_families WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2', [familyId, now])).rowCount ?? 0) > 0;
    },
    async insertFamily(f) {
      await query('INSERT INTO token_families (id, client_id, sub, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [f.id, f.clientId, f.sub, f.expiresAt]);
    },
    async insertServiceKey(key) {
      await query('INSERT INTO service_keys (id, name, hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5)', [key.id, key.name, key.hash, JSON.stringify(key.scopes), key.createdAt]);
    },
    async findServiceKey(hash) {
      const { rows } = await query<ServiceKeyRow>('SELECT * FROM service_keys WHERE hash = $1 AND revoked_at IS NULL', [hash]);
      return rows[0] ? toServiceKey(rows[0]) : null;
    },
    async listServiceKeys() {
      return (await query<ServiceKeyRow>('SELECT * FROM service_keys ORDER BY created_at, id', [])).rows.map(toServiceKey);
    },
    async revokeServiceKey(idOrName, now) {
      const { rowCount } = await query('UPDATE service_keys SET revoked_at = $2 WHERE (id = $1 OR name = $1) AND revoked_at IS NULL', [idOrName, new Date(now).toISOString()]);
      return (rowCount ?? 0) > 0;
    },
    async hitRateLimit(bucket, windowMs, now) {
      const windowStart = now - (now % windowMs);
      // One statement: the row lock of ON CONFLICT makes concurrent hits from every instance count once each.
      const { rows } = await query<{ window_start: string; count: number }>(
        `INSERT INTO rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (bucket) DO UPDATE SET
           count = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.count + 1 ELSE 1 END,
           window_start = EXCLUDED.window_start
         RETURNING window_start, count`,
        [bucket, windowStart],
      );
      const row = rows[0]!;
      return { count: row.count, resetAt: Number(row.window_start) + windowMs };
    },
    async appendAudit(entry) {
      await query(AUDIT_INSERT, [entry.owner, entry.action, entry.roomCode, entry.client, entry.at]);
    },
    async listAudit({ owner, limit, before }) {
      const { rows } =
        before === undefined
          ? await query<{ owner: string; action: AuditEntry['action']; room_code: string; client: string; at: string }>(
              'SELECT * FROM audit WHERE owner = $1 ORDER BY at DESC, room_code DESC, action DESC LIMIT $2',
              [owner, limit],
            )
          : await query<{ owner: string; action: AuditEntry['action']; room_code: string; client: string; at: string }>(
              'SELECT * FROM audit WHERE owner = $1 AND (at, room_code, action) < ($2, $3, $4) ORDER BY at DESC, room_code DESC, action DESC LIMIT $5',
              [owner, before.at, before.roomCode, before.action, limit],
            );
      return rows.map((r) => ({ owner: r.owner, action: r.action, roomCode: r.room_code, client: r.client, at: r.at }));
    },
    async purgeExpired(now) {
      await transaction(async (client) => {
        await client.query('DELETE FROM one_time WHERE expires_at < $1', [now - 86_400_000]);
        await client.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [now]);
        await client.query('DELETE FROM token_families WHERE expires_at < $1 OR revoked_at < $2', [now, now - 86_400_000]);
        await client.query('DELETE FROM rate_limits WHERE window_start < $1', [now - 86_400_000]);
      });
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
