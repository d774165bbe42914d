/** The embedded default store: one SQLite file in the data folder (WAL, so readers never block the writer). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DuplicateRoomError, type KeyClaim, type PendingCreation, type RoomPageQuery, type Store, type StoredRoom } from './store.js';

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
];

interface RoomRow {
  code: string;
  owner: string;
  url: string;
  access_level: StoredRoom['accessLevel'];
  provider: StoredRoom['provider'];
  title: string | null;
  event_uid: string | null;
  telephony: string | null;
  provider_ref: string | null;
  created_at: string;
  ended_at: string | null;
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
    telephony: row.telephony ? JSON.parse(row.telephony) : undefined,
    providerRef: row.provider_ref ?? undefined,
    createdAt: row.created_at,
    endedAt: row.ended_at ?? undefined,
  };
}

export function openSqliteStore(dataDir: string, now: () => number = Date.now): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'gateway.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const q = {
    getKey: db.prepare<[string, string], { fingerprint: string; room_code: string | null; claimed_at: number }>(
      'SELECT fingerprint, room_code, claimed_at FROM idempotency_keys WHERE owner = ? AND key = ?',
    ),
    insertKey: db.prepare('INSERT INTO idempotency_keys (owner, key, fingerprint, room_code, claimed_at) VALUES (?, ?, ?, NULL, ?)'),
    takeOver: db.prepare('UPDATE idempotency_keys SET claimed_at = ? WHERE owner = ? AND key = ? AND room_code IS NULL AND claimed_at = ?'),
    completeKey: db.prepare('UPDATE idempotency_keys SET room_code = ? WHERE owner = ? AND key = ?'),
    releaseKey: db.prepare('DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND room_code IS NULL'),
    insertRoom: db.prepare(
      `INSERT INTO rooms (code, owner, url, access_level, provider, title, event_uid, telephony, provider_ref, created_at)
       VALUES (@code, @owner, @url, @accessLevel, @provider, @title, @eventUid, @telephony, @providerRef, @createdAt)`,
    ),
    getRoom: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE code = ?'),
    byEvent: db.prepare<[string, string], RoomRow>('SELECT * FROM rooms WHERE owner = ? AND event_uid = ?'),
    firstPage: db.prepare<[string, number], RoomRow>('SELECT * FROM rooms WHERE owner = ? ORDER BY created_at DESC, code DESC LIMIT ?'),
    nextPage: db.prepare<[string, string, string, string, number], RoomRow>(
      `SELECT * FROM rooms WHERE owner = ? AND (created_at < ? OR (created_at = ? AND code < ?))
       ORDER BY created_at DESC, code DESC LIMIT ?`,
    ),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE code = ? AND owner = ?'),
    deleteKeys: db.prepare('DELETE FROM idempotency_keys WHERE room_code = ?'),
    markEnded: db.prepare('UPDATE rooms SET ended_at = ? WHERE code = ?'),
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

  const claim = db.transaction((owner: string, key: string, fingerprint: string, staleAfterMs: number): KeyClaim => {
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
  });
  const remove = db.transaction((code: string, owner: string) => {
    const deleted = q.deleteRoom.run(code, owner).changes === 1;
    if (deleted) q.deleteKeys.run(code);
    return deleted;
  });

  return {
    async claimKey(owner, key, fingerprint, staleAfterMs) {
      return claim.immediate(owner, key, fingerprint, staleAfterMs);
    },
    async completeKey(owner, key, roomCode) {
      q.completeKey.run(roomCode, owner, key);
    },
    async releaseKey(owner, key) {
      q.releaseKey.run(owner, key);
    },
    async insertRoom(room) {
      try {
        q.insertRoom.run({
          ...room,
          title: room.title ?? null,
          eventUid: room.eventUid ?? null,
          telephony: room.telephony ? JSON.stringify(room.telephony) : null,
          providerRef: room.providerRef ?? null,
        });
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
    async listRooms({ owner, limit, after }: RoomPageQuery) {
      const rows = after
        ? q.nextPage.all(owner, after.createdAt, after.createdAt, after.code, limit)
        : q.firstPage.all(owner, limit);
      return rows.map(toRoom);
    },
    async deleteRoom(code, owner) {
      return remove(code, owner);
    },
    async markRoomEnded(code, endedAt) {
      return q.markEnded.run(endedAt, code).changes === 1;
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
      db.close();
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
