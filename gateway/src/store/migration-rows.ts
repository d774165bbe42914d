/**
 * The tables of "switch to Visio" runs (StoredMigration, StoredMigrationItem) and their rows, for both
 * stores. An item's outcome is written once: only a pending or failed item takes a new one.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { MigrationItemResult, MigrationStore, StoredMigration, StoredMigrationItem } from './store.js';

/** The PostgreSQL store's query and transaction helpers, as it hands them to these methods. */
export type Query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<pg.QueryResult<R>>;
export type Transaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

function migrationTables(json: string, options: string): string {
  return `CREATE TABLE migrations (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     created_at TEXT NOT NULL,
     range_from TEXT NOT NULL,
     range_to TEXT NOT NULL,
     scheduling TEXT NOT NULL,
     applied_at TEXT
   );
   CREATE TABLE migration_items (
     migration_id TEXT NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
     item_id TEXT NOT NULL,
     position INTEGER NOT NULL,
     data ${json} NOT NULL,
     result TEXT NOT NULL,
     room TEXT,
     error TEXT,
     PRIMARY KEY (migration_id, item_id)
   )${options};`;
}
export const SQLITE_MIGRATION_TABLES = migrationTables('TEXT', ' WITHOUT ROWID');
export const POSTGRES_MIGRATION_TABLES = migrationTables('JSONB', '');

interface MigrationRow {
  id: string;
  owner: string;
  created_at: string;
  range_from: string;
  range_to: string;
  scheduling: StoredMigration['scheduling'];
  applied_at: string | null;
}

interface ItemRow {
  item_id: string;
  position: number;
  data: string | Record<string, unknown>;
  result: MigrationItemResult;
  room: string | null;
  error: string | null;
}

const toMigration = (r: MigrationRow): StoredMigration => ({
  id: r.id,
  owner: r.owner,
  createdAt: r.created_at,
  from: r.range_from,
  to: r.range_to,
  scheduling: r.scheduling,
  appliedAt: r.applied_at,
});

const toItem = (r: ItemRow): StoredMigrationItem => ({
  id: r.item_id,
  position: Number(r.position),
  data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
  result: r.result,
  room: r.room,
  error: r.error,
});

const migrationValues = (m: StoredMigration) => [m.id, m.owner, m.createdAt, m.from, m.to, m.scheduling, m.appliedAt];
const itemValues = (id: string, i: StoredMigrationItem) => [id, i.id, i.position, JSON.stringify(i.data), i.result, i.room, i.error];
const RECORDABLE = "result IN ('pending', 'failed')";

export function sqliteMigrationMethods(db: Database.Database): MigrationStore {
  const q = {
    insert: db.prepare('INSERT INTO migrations (id, owner, created_at, range_from, range_to, scheduling, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertItem: db.prepare('INSERT INTO migration_items (migration_id, item_id, position, data, result, room, error) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare<[string], MigrationRow>('SELECT * FROM migrations WHERE id = ?'),
    items: db.prepare<[string], ItemRow>('SELECT item_id, position, data, result, room, error FROM migration_items WHERE migration_id = ? ORDER BY position'),
    applied: db.prepare('UPDATE migrations SET applied_at = COALESCE(applied_at, ?) WHERE id = ?'),
    skip: db.prepare("UPDATE migration_items SET result = 'skipped' WHERE migration_id = ? AND item_id = ? AND result = 'pending'"),
    record: db.prepare(`UPDATE migration_items SET result = ?, room = ?, error = ? WHERE migration_id = ? AND item_id = ? AND ${RECORDABLE}`),
  };
  const insert = db.transaction((m: StoredMigration, items: StoredMigrationItem[]) => {
    q.insert.run(...migrationValues(m));
    for (const item of items) q.insertItem.run(...itemValues(m.id, item));
  });
  const applied = db.transaction((id: string, at: string, skip: string[]) => {
    q.applied.run(at, id);
    for (const itemId of skip) q.skip.run(id, itemId);
  });
  return {
    async insertMigration(m, items) {
      insert.immediate(m, items);
    },
    async getMigration(id) {
      const row = q.get.get(id);
      return row ? { migration: toMigration(row), items: q.items.all(id).map(toItem) } : null;
    },
    async markMigrationApplied(id, at, skip) {
      applied.immediate(id, at, skip);
    },
    async recordMigrationItem(id, itemId, o) {
      return q.record.run(o.result, o.room, o.error, id, itemId).changes === 1;
    },
  };
}

export function postgresMigrationMethods(query: Query, transaction: Transaction): MigrationStore {
  return {
    async insertMigration(m, items) {
      await transaction(async (client) => {
        await client.query('INSERT INTO migrations (id, owner, created_at, range_from, range_to, scheduling, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', migrationValues(m));
        // One statement for all items: 500 events stay one round trip.
        if (items.length > 0) {
          await client.query(
            `INSERT INTO migration_items (migration_id, item_id, position, data, result, room, error)
             SELECT $1, x.item_id, x.position, x.data, x.result, x.room, x.error
             FROM jsonb_to_recordset($2::jsonb) AS x(item_id TEXT, position INTEGER, data JSONB, result TEXT, room TEXT, error TEXT)`,
            [m.id, JSON.stringify(items.map((i) => ({ item_id: i.id, position: i.position, data: i.data, result: i.result, room: i.room, error: i.error })))],
          );
        }
      });
    },
    async getMigration(id) {
      const { rows } = await query<MigrationRow>('SELECT * FROM migrations WHERE id = $1', [id]);
      if (!rows[0]) return null;
      const items = await query<ItemRow>('SELECT item_id, position, data, result, room, error FROM migration_items WHERE migration_id = $1 ORDER BY position', [id]);
      return { migration: toMigration(rows[0]), items: items.rows.map(toItem) };
    },
    async markMigrationApplied(id, at, skip) {
      await transaction(async (client) => {
        await client.query('UPDATE migrations SET applied_at = COALESCE(applied_at, $2) WHERE id = $1', [id, at]);
        if (skip.length > 0) await client.query("UPDATE migration_items SET result = 'skipped' WHERE migration_id = $1 AND item_id = ANY($2) AND result = 'pending'", [id, skip]);
      });
    },
    async recordMigrationItem(id, itemId, o) {
      const r = await query(`UPDATE migration_items SET result = $1, room = $2, error = $3 WHERE migration_id = $4 AND item_id = $5 AND ${RECORDABLE}`, [o.result, o.room, o.error, id, itemId]);
      return r.rowCount === 1;
    },
  };
}
