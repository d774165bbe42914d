/** The embedded default store: one SQLite file in the data folder (WAL, so readers never block the writer). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { groupCommit } from './group-commit.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { SQLITE_MIGRATION_TABLES, sqliteMigrationMethods } from './migration-rows.js';
import {
  DuplicateRoomError,
  type PendingCreation,
  type AuditEntry,
  type RetentionQuery,
  type RoomEnding,
  type AuditStamp,
  type AuthStore,
  type KeyClaim,
  type KeyRef,
  type RefreshTokenRecord,
  type RefreshUse,
  type RoomPageQuery,
  type ServiceKeyRecord,
  type Store,
  type StoredRoom,
  type TakeResult,
} from './store.js';
import { endAction, ROOM_INSERT_COLUMNS, ROOM_LIFECYCLE_MIGRATION, roomInsertValues, toRoom, type RoomRow } from './room-row.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE rooms (
     code TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     url TEXT NOT NULL,
     access_level TEXT NOT NULL,
     provider TEXT NOT NULL,
     title TEXT,
     event_uid TEXT,
     telephony TEXT,
     provider_ref TEXT,
     created_at TEXT NOT NULL
   );
   CREATE UNIQUE INDEX rooms_owner_event ON rooms (owner, event_uid) WHERE event_uid IS NOT NULL;
   CREATE INDEX rooms_owner_created ON rooms (owner, created_at DESC, code DESC);
   CREATE TABLE idempotency_keys (
     owner TEXT NOT NULL,
     key TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     room_code TEXT,
     claimed_at INTEGER NOT NULL,
     PRIMARY KEY (owner, key)
   );
   CREATE INDEX idempotency_room ON idempotency_keys (room_code);`,
  // Sign-in, service keys, rate limits, audit trail (issue 3).
  `CREATE TABLE one_time (
     kind TEXT NOT NULL,
     hash TEXT NOT NULL,
     payload TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     family_id TEXT,
     PRIMARY KEY (kind, hash)
   );
   CREATE INDEX one_time_expiry ON one_time (expires_at);
   CREATE TABLE token_families (
     id TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     sub TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE TABLE refresh_tokens (
     hash TEXT PRIMARY KEY,
     family_id TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
     client_id TEXT NOT NULL,
     user TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER
   );
   CREATE INDEX refresh_family ON refresh_tokens (family_id);
   CREATE TABLE service_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     created_at TEXT NOT NULL,
     revoked_at TEXT
   );
   CREATE UNIQUE INDEX service_keys_active_name ON service_keys (name) WHERE revoked_at IS NULL;
   CREATE TABLE rate_limits (
     bucket TEXT PRIMARY KEY,
     window_start INTEGER NOT NULL,
     count INTEGER NOT NULL
   );
   -- One b-tree, keyed for the owner's newest-first pages: room creation pays for a single extra insert.
   CREATE TABLE audit (
     owner TEXT NOT NULL,
     at TEXT NOT NULL,
     room_code TEXT NOT NULL,
     action TEXT NOT NULL,
     client TEXT NOT NULL,
     PRIMARY KEY (owner, at, room_code, action)
   ) WITHOUT ROWID;`,
  // Ended rooms and pending Meet creations (issue 4).
  `ALTER TABLE rooms ADD COLUMN ended_at TEXT;
   CREATE INDEX rooms_provider_ref ON rooms (provider, provider_ref) WHERE provider_ref IS NOT NULL;
   CREATE TABLE pending_creations (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     provider TEXT NOT NULL,
     started_at TEXT NOT NULL,
     baseline TEXT NOT NULL,
     provider_ref TEXT
   );
   CREATE UNIQUE INDEX pending_creations_ref ON pending_creations (provider, provider_ref) WHERE provider_ref IS NOT NULL;`,
  // Switch to Visio runs (issue 19).
  SQLITE_MIGRATION_TABLES,
  // The room follows its meeting: schedule, attachment, end (issue 18). Rooms of events made before are
  // counted as attached: they are never taken for abandoned drafts.
  ROOM_LIFECYCLE_MIGRATION('TEXT', 'INTEGER NOT NULL DEFAULT 0'),
];

export function openSqliteStore(dataDir: string, now: () => number = Date.now): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'gateway.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  // Checkpoints run off the event loop (sqlite-checkpointer.ts). Should that worker fail, this connection
  // checkpoints again itself, every 4,000 WAL pages (16 MB; room codes are random, so each creation dirties its
  // own index page, and fewer, larger checkpoints copy a page back once for several writes).
  db.pragma('wal_autocheckpoint = 0');
  const checkpointer = startCheckpointer(join(dataDir, 'gateway.sqlite'), () => {
    if (db.open) db.pragma('wal_autocheckpoint = 4000');
  });

  const q = {
    getKey: db.prepare<[string, string], { fingerprint: string; room_code: string | null; claimed_at: number }>(
      'SELECT fingerprint, room_code, claimed_at FROM idempotency_keys WHERE owner = ? AND key = ?',
    ),
    insertKey: db.prepare('INSERT INTO idempotency_keys (owner, key, fingerprint, room_code, claimed_at) VALUES (?, ?, ?, NULL, ?)'),
    takeOver: db.prepare('UPDATE idempotency_keys SET claimed_at = ? WHERE owner = ? AND key = ? AND room_code IS NULL AND claimed_at = ?'),
    completeKey: db.prepare('UPDATE idempotency_keys SET room_code = ? WHERE owner = ? AND key = ?'),
    releaseKey: db.prepare('DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND room_code IS NULL'),
    insertRoom: db.prepare(`INSERT INTO rooms (${ROOM_INSERT_COLUMNS}) VALUES (${ROOM_INSERT_COLUMNS.split(',').fill('?').join(', ')})`),
    getRoom: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE code = ?'),
    byEvent: db.prepare<[string, string], RoomRow>('SELECT * FROM rooms WHERE owner = ? AND event_uid = ? AND released_at IS NULL'),
    firstPage: db.prepare<[string, string, string, number], RoomRow>(
      `SELECT * FROM rooms WHERE owner = ? AND (? = 'all' OR (? = 'open') = (released_at IS NULL))
       ORDER BY created_at DESC, code DESC LIMIT ?`,
    ),
    nextPage: db.prepare<[string, string, string, string, string, string, number], RoomRow>(
      `SELECT * FROM rooms WHERE owner = ? AND (? = 'all' OR (? = 'open') = (released_at IS NULL))
         AND (created_at < ? OR (created_at = ? AND code < ?))
       ORDER BY created_at DESC, code DESC LIMIT ?`,
    ),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE code = ? AND owner = ?'),
    deleteKeys: db.prepare('DELETE FROM idempotency_keys WHERE room_code = ?'),
    markEnded: db.prepare('UPDATE rooms SET ended_at = ? WHERE code = ?'),
    setSchedule: db.prepare(
      `UPDATE rooms SET schedule = ?, schedule_ends_at = ?, attached_at = COALESCE(attached_at, ?)
       WHERE code = ? AND owner = ? AND released_at IS NULL`,
    ),
    attach: db.prepare('UPDATE rooms SET attached_at = COALESCE(attached_at, ?) WHERE code = ?'),
    end: db.prepare<[string, string, number, string], { owner: string }>(
      'UPDATE rooms SET released_at = ?, release_reason = ?, cleanup_pending = ? WHERE code = ? AND released_at IS NULL RETURNING owner',
    ),
    scheduleOver: db.prepare<[string, number], RoomRow>('SELECT * FROM rooms WHERE released_at IS NULL AND schedule_ends_at < ? ORDER BY schedule_ends_at LIMIT ?'),
    unattached: db.prepare<[string, string, number], RoomRow & { reason: 'retention' | 'draft-expired' }>(
      `SELECT *, CASE WHEN event_uid IS NULL THEN 'retention' ELSE 'draft-expired' END AS reason FROM rooms
       WHERE released_at IS NULL AND attached_at IS NULL AND schedule IS NULL
         AND ((event_uid IS NOT NULL AND created_at < ?) OR (event_uid IS NULL AND created_at < ?))
       ORDER BY created_at LIMIT ?`,
    ),
    cleanups: db.prepare<[number], RoomRow>('SELECT * FROM rooms WHERE cleanup_pending = 1 ORDER BY released_at LIMIT ?'),
    settleCleanup: db.prepare('UPDATE rooms SET cleanup_pending = 0 WHERE code = ?'),
    insertPending: db.prepare('INSERT INTO pending_creations (id, owner, provider, started_at, baseline) VALUES (?, ?, ?, ?, ?)'),
    getPending: db.prepare<[string], { id: string; owner: string; provider: StoredRoom['provider']; started_at: string; baseline: string }>(
      'SELECT id, owner, provider, started_at, baseline FROM pending_creations WHERE id = ?',
    ),
    refInRooms: db.prepare<[string, string], { code: string }>('SELECT code FROM rooms WHERE provider = ? AND provider_ref = ?'),
    refInPending: db.prepare<[string, string], { id: string }>('SELECT id FROM pending_creations WHERE provider = ? AND provider_ref = ?'),
    // Once settled, the baseline has served its purpose.
    settle: db.prepare("UPDATE pending_creations SET provider_ref = ?, baseline = '[]' WHERE id = ? AND provider_ref IS NULL"),
    dropPending: db.prepare('DELETE FROM pending_creations WHERE id = ? AND provider_ref IS NULL'),
  };

  const settle = db.transaction((id: string, providerRef: string): boolean => {
    const pending = q.getPending.get(id);
    if (!pending) return false;
    const other = q.refInPending.get(pending.provider, providerRef);
    if (other) return other.id === id;
    if (q.refInRooms.get(pending.provider, providerRef)) return false;
    return q.settle.run(providerRef, id).changes === 1;
  });

  const claim = (owner: string, key: string, fingerprint: string, staleAfterMs: number): KeyClaim => {
    const row = q.getKey.get(owner, key);
    const t = now();
    if (!row) {
      q.insertKey.run(owner, key, fingerprint, t);
      return { state: 'claimed' };
    }
    if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
    if (row.room_code) return { state: 'done', roomCode: row.room_code };
    if (t - row.claimed_at > staleAfterMs && q.takeOver.run(t, owner, key, row.claimed_at).changes === 1) return { state: 'claimed' };
    return { state: 'pending' };
  };
  // Every request from a client carries a key: claims share commits as room inserts do (in queue order, so
  // a key claimed twice in one turn is claimed by the first and pending for the second).
  const claimGrouped = groupCommit(db, claim);
  const addAudit = db.prepare('INSERT OR IGNORE INTO audit (owner, action, room_code, client, at) VALUES (?, ?, ?, ?, ?)');
  const remove = db.transaction((code: string, owner: string, audit: AuditStamp | undefined) => {
    const deleted = q.deleteRoom.run(code, owner).changes === 1;
    if (deleted) q.deleteKeys.run(code);
    if (deleted && audit) addAudit.run(owner, 'room.delete', code, audit.client, audit.at);
    return deleted;
  });
  const endRoom = db.transaction((code: string, e: RoomEnding): boolean => {
    const ended = q.end.get(e.at, e.reason, e.cleanupPending ? 1 : 0, code);
    if (!ended) return false;
    q.deleteKeys.run(code);
    addAudit.run(ended.owner, endAction(e), code, e.audit.client, e.audit.at);
    return true;
  });
  const insertRow = (room: StoredRoom, completes: KeyRef | undefined, audit: AuditStamp | undefined): void => {
    q.insertRoom.run(roomInsertValues(room));
    if (completes) q.completeKey.run(room.code, completes.owner, completes.key);
    if (audit) addAudit.run(room.owner, 'room.create', room.code, audit.client, audit.at);
  };
  // Room creation is the hot write: concurrent creations share one commit.
  const insertGrouped = groupCommit(db, insertRow);

  const auth = authQueries(db);
  const running = new Set<string>();

  return {
    ...auth,
    ...sqliteMigrationMethods(db),
    async claimKey(owner, key, fingerprint, staleAfterMs) {
      return claimGrouped(owner, key, fingerprint, staleAfterMs);
    },
    async completeKey(owner, key, roomCode) {
      q.completeKey.run(roomCode, owner, key);
    },
    async releaseKey(owner, key) {
      q.releaseKey.run(owner, key);
    },
    async insertRoom(room, options) {
      try {
        await insertGrouped(room, options?.completes, options?.audit);
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT')) {
          throw new DuplicateRoomError(error.message.includes('event_uid') ? 'eventUid' : 'code');
        }
        throw error;
      }
    },
    async getRoom(code) {
      const row = q.getRoom.get(code);
      return row ? toRoom(row) : null;
    },
    async findRoomByEvent(owner, eventUid) {
      const row = q.byEvent.get(owner, eventUid);
      return row ? toRoom(row) : null;
    },
    async listRooms({ owner, limit, after, state = 'open' }: RoomPageQuery) {
      const rows = after ? q.nextPage.all(owner, state, state, after.createdAt, after.createdAt, after.code, limit) : q.firstPage.all(owner, state, state, limit);
      return rows.map(toRoom);
    },
    async deleteRoom(code, owner, audit) {
      return remove(code, owner, audit);
    },
    async markRoomEnded(code, endedAt) {
      return q.markEnded.run(endedAt, code).changes === 1;
    },
    async setSchedule(code, owner, schedule, endsAt, at) {
      q.setSchedule.run(JSON.stringify(schedule), endsAt, at, code, owner);
      const row = q.getRoom.get(code);
      return row && row.owner === owner ? toRoom(row) : null;
    },
    async attachRoom(code, at) {
      q.attach.run(at, code);
    },
    async endRoom(code, ending) {
      return endRoom.immediate(code, ending);
    },
    async listRoomsToEnd(query: RetentionQuery) {
      const over = q.scheduleOver.all(query.scheduleEndedBefore, query.limit).map((row) => ({ room: toRoom(row), reason: 'retention' as const }));
      const left = query.limit - over.length;
      const unattached = left > 0 ? q.unattached.all(query.draftCreatedBefore, query.instantCreatedBefore, left) : [];
      return [...over, ...unattached.map((row) => ({ room: toRoom(row), reason: row.reason }))];
    },
    async listPendingCleanups(limit) {
      return q.cleanups.all(limit).map(toRoom);
    },
    async settleCleanup(code) {
      q.settleCleanup.run(code);
    },
    async runExclusive(job, fn) {
      // One process owns the SQLite file: a job already running here is the only other runner.
      if (running.has(job)) return false;
      running.add(job);
      try {
        await fn();
        return true;
      } finally {
        running.delete(job);
      }
    },
    async recordPendingCreation(p: PendingCreation) {
      q.insertPending.run(p.id, p.owner, p.provider, p.startedAt, JSON.stringify(p.baseline));
    },
    async getPendingCreation(id) {
      const row = q.getPending.get(id);
      return row ? { id: row.id, owner: row.owner, provider: row.provider, startedAt: row.started_at, baseline: JSON.parse(row.baseline) as string[] } : null;
    },
    async settlePendingCreation(id, providerRef) {
      return settle.immediate(id, providerRef);
    },
    async dropPendingCreation(id) {
      q.dropPending.run(id);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      claimGrouped.flush();
      insertGrouped.flush();
      await checkpointer.stop();
      db.close();
    },
  };
}

interface AuditRow {
  owner: string;
  action: AuditEntry['action'];
  room_code: string;
  client: string;
  at: string;
}

interface ServiceKeyRow {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

const toServiceKey = (r: ServiceKeyRow): ServiceKeyRecord => ({
  id: r.id,
  name: r.name,
  hash: r.hash,
  scopes: JSON.parse(r.scopes) as string[],
  createdAt: r.created_at,
  revokedAt: r.revoked_at ?? undefined,
});

function authQueries(db: Database.Database): AuthStore {
  const q = {
    putOneTime: db.prepare('INSERT INTO one_time (kind, hash, payload, expires_at) VALUES (?, ?, ?, ?)'),
    getOneTime: db.prepare<[string, string], { payload: string; expires_at: number; used_at: number | null; family_id: string | null }>(
      'SELECT payload, expires_at, used_at, family_id FROM one_time WHERE kind = ? AND hash = ?',
    ),
    useOneTime: db.prepare('UPDATE one_time SET used_at = ? WHERE kind = ? AND hash = ? AND used_at IS NULL'),
    linkOneTime: db.prepare('UPDATE one_time SET family_id = ? WHERE kind = ? AND hash = ?'),
    insertFamily: db.prepare('INSERT OR IGNORE INTO token_families (id, client_id, sub, expires_at) VALUES (?, ?, ?, ?)'),
    insertRefresh: db.prepare('INSERT INTO refresh_tokens (hash, family_id, client_id, user, expires_at) VALUES (?, ?, ?, ?, ?)'),
    getRefresh: db.prepare<
      [string],
      { hash: string; family_id: string; client_id: string; user: string; expires_at: number; used_at: number | null; family_expires_at: number; revoked_at: number | null }
    >(
      `SELECT t.hash, t.family_id, t.client_id, t.user, t.expires_at, t.used_at, f.expires_at AS family_expires_at, f.revoked_at
       FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.hash = ?`,
    ),
    useRefresh: db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL'),
    revokeFamily: db.prepare('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    familyOf: db.prepare<[string], { family_id: string }>('SELECT family_id FROM refresh_tokens WHERE hash = ?'),
    familyActive: db.prepare<[string, number], { ok: number }>('SELECT 1 AS ok FROM token_families WHERE id = ? AND revoked_at IS NULL AND expires_at > ?'),
    insertKey: db.prepare('INSERT INTO service_keys (id, name, hash, scopes, created_at) VALUES (@id, @name, @hash, @scopes, @createdAt)'),
    findKey: db.prepare<[string], ServiceKeyRow>('SELECT * FROM service_keys WHERE hash = ? AND revoked_at IS NULL'),
    listKeys: db.prepare<[], ServiceKeyRow>('SELECT * FROM service_keys ORDER BY created_at, id'),
    revokeKey: db.prepare('UPDATE service_keys SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL'),
    hit: db.prepare<[string, number], { window_start: number; count: number }>(
      `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING window_start, count`,
    ),
    appendAudit: db.prepare('INSERT OR IGNORE INTO audit (owner, action, room_code, client, at) VALUES (@owner, @action, @roomCode, @client, @at)'),
    auditFirst: db.prepare<[string, number], AuditRow>('SELECT * FROM audit WHERE owner = ? ORDER BY at DESC, room_code DESC, action DESC LIMIT ?'),
    auditNext: db.prepare<[string, string, string, string, number], AuditRow>(
      'SELECT * FROM audit WHERE owner = ? AND (at, room_code, action) < (?, ?, ?) ORDER BY at DESC, room_code DESC, action DESC LIMIT ?',
    ),
    purgeOneTime: db.prepare('DELETE FROM one_time WHERE expires_at < ?'),
    purgeFamilies: db.prepare('DELETE FROM token_families WHERE expires_at < ? OR revoked_at < ?'),
    purgeTokens: db.prepare('DELETE FROM refresh_tokens WHERE expires_at < ?'),
    purgeLimits: db.prepare('DELETE FROM rate_limits WHERE window_start < ?'),
  };

  const take = db.transaction((kind: string, hash: string, now: number): TakeResult<unknown> => {
    const row = q.getOneTime.get(kind, hash);
    if (!row) return { state: 'unknown' };
    if (row.used_at !== null) return { state: 'replayed', familyId: row.family_id };
    q.useOneTime.run(now, kind, hash);
    if (row.expires_at <= now) return { state: 'expired' };
    return { state: 'ok', payload: JSON.parse(row.payload) };
  });

  const useRefresh = db.transaction((hash: string, clientId: string, now: number): RefreshUse => {
    const row = q.getRefresh.get(hash);
    if (!row) return { state: 'unknown' };
    if (row.client_id !== clientId) return { state: 'wrong-client' };
    if (row.revoked_at !== null) return { state: 'revoked' };
    if (row.used_at !== null) {
      q.revokeFamily.run(now, row.family_id);
      return { state: 'reused' };
    }
    if (row.expires_at <= now || row.family_expires_at <= now) return { state: 'expired' };
    q.useRefresh.run(now, hash);
    const token: RefreshTokenRecord = {
      hash: row.hash,
      familyId: row.family_id,
      clientId: row.client_id,
      user: JSON.parse(row.user),
      expiresAt: row.expires_at,
      familyExpiresAt: row.family_expires_at,
    };
    return { state: 'ok', token };
  });

  const insertRefresh = db.transaction((t: RefreshTokenRecord) => {
    q.insertFamily.run(t.familyId, t.clientId, t.user.sub, t.familyExpiresAt);
    q.insertRefresh.run(t.hash, t.familyId, t.clientId, JSON.stringify(t.user), Math.min(t.expiresAt, t.familyExpiresAt));
  });

  return {
    async putOneTime(kind, hash, payload, expiresAt) {
      q.putOneTime.run(kind, hash, JSON.stringify(payload), expiresAt);
    },
    async takeOneTime<T>(kind: string, hash: string, now: number) {
      return take.immediate(kind, hash, now) as TakeResult<T>;
    },
    async linkOneTime(kind, hash, familyId) {
      q.linkOneTime.run(familyId, kind, hash);
    },
    async insertRefreshToken(token) {
      insertRefresh.immediate(token);
    },
    async useRefreshToken(hash, clientId, now) {
      return useRefresh.immediate(hash, clientId, now);
    },
    async revokeFamily(by, now) {
      const familyId = 'familyId' in by ? by.familyId : q.familyOf.get(by.hash)?.family_id;
      if (familyId) q.revokeFamily.run(now, familyId);
    },
    async isFamilyActive(familyId, now) {
      return q.familyActive.get(familyId, now) !== undefined;
    },
    async insertFamily(f) {
      q.insertFamily.run(f.id, f.clientId, f.sub, f.expiresAt);
    },
    async insertServiceKey(key) {
      q.insertKey.run({ ...key, scopes: JSON.stringify(key.scopes) });
    },
    async findServiceKey(hash) {
      const row = q.findKey.get(hash);
      return row ? toServiceKey(row) : null;
    },
    async listServiceKeys() {
      return q.listKeys.all().map(toServiceKey);
    },
    async revokeServiceKey(idOrName, now) {
      return q.revokeKey.run(new Date(now).toISOString(), idOrName, idOrName).changes > 0;
    },
    async hitRateLimit(bucket, windowMs, now) {
      const windowStart = now - (now % windowMs);
      const row = q.hit.get(bucket, windowStart)!;
      return { count: row.count, resetAt: row.window_start + windowMs };
    },
    async appendAudit(entry) {
      q.appendAudit.run(entry);
    },
    async listAudit({ owner, limit, before }) {
      const rows = before === undefined ? q.auditFirst.all(owner, limit) : q.auditNext.all(owner, before.at, before.roomCode, before.action, limit);
      return rows.map((r) => ({ owner: r.owner, action: r.action, roomCode: r.room_code, client: r.client, at: r.at }));
    },
    async purgeExpired(now) {
      q.purgeOneTime.run(now - 86_400_000);
      q.purgeTokens.run(now);
      q.purgeFamilies.run(now, now - 86_400_000);
      q.purgeLimits.run(now - 86_400_000);
    },
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const apply = db.transaction(() => {
    const done = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    MIGRATIONS.slice(done).forEach((sql, i) => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(done + i + 1, new Date().toISOString());
    });
  });
  apply.immediate();
}
