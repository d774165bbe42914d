import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommit } from '../src/store/group-commit.ts';

describe('SQLite group commit', () => {
  let db: Database.Database;
  afterEach(() => {
    if (db?.open) db.close();
  });

  function open() {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL); CREATE TABLE log (id TEXT NOT NULL)');
    // Two statements per write, so a failure after the first shows whether the savepoint undid it.
    return groupCommit(db, (id: string, n: number) => {
      db.prepare('INSERT INTO log (id) VALUES (?)').run(id);
      db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(id, n);
    });
  }
  const ids = (table: string) => (db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: string }[]).map((r) => r.id);

  it('commits concurrent writes together, in one transaction', async () => {
    // A file in WAL mode: each commit appends the pages it changed, so frames count commits.
    const dir = mkdtempSync(join(tmpdir(), 'visio-group-'));
    try {
      db = new Database(join(dir, 'db.sqlite'));
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
      const write = groupCommit(db, (id: string, n: number) => void db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(id, n));
      const framesAfter = async (writes: () => Promise<unknown>) => {
        db.pragma('wal_checkpoint(TRUNCATE)');
        await writes();
        return (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
      };
      const oneByOne = await framesAfter(async () => {
        for (const id of ['a', 'b', 'c']) await write(id, 1);
      });
      const pending = [write('d', 1), write('e', 2), write('f', 3)];
      // Nothing is written before the turn ends.
      expect(ids('t')).toEqual(['a', 'b', 'c']);
      const together = await framesAfter(() => Promise.all(pending));
      expect(ids('t')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(oneByOne).toBe(3 * together);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails only the write that breaks a constraint, and leaves none of its statements', async () => {
    const write = open();
    await write('a', 1);
    const results = await Promise.allSettled([write('b', 2), write('a', 9), write('c', 3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(ids('t')).toEqual(['a', 'b', 'c']);
    expect(ids('log')).toEqual(['a', 'b', 'c']);
    expect(db.prepare('SELECT n FROM t WHERE id = ?').get('a')).toEqual({ n: 1 });
  });

  it('rejects every write of the batch when the transaction cannot happen (database locked), and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visio-group-'));
    const other = new Database(join(dir, 'db.sqlite'));
    try {
      db = new Database(join(dir, 'db.sqlite'), { timeout: 0 });
      db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
      const write = groupCommit(db, (id: string, n: number) => void db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(id, n));
      // Another process holds the write lock.
      other.exec('BEGIN IMMEDIATE');
      const results = await Promise.allSettled([write('a', 1), write('b', 2)]);
      other.exec('ROLLBACK');
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
      expect(ids('t')).toEqual([]);
      // The next turn works again.
      await write('c', 3);
      expect(ids('t')).toEqual(['c']);
    } finally {
      other.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives each caller its write's result, the writes of a batch in order, each seeing the ones before", async () => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    // Inserts when absent, else says it was there: the second call for 'a' must see the first.
    const claim = groupCommit(db, (id: string) => {
      if (db.prepare('SELECT 1 FROM t WHERE id = ?').get(id)) return 'taken';
      db.prepare('INSERT INTO t (id, n) VALUES (?, 0)').run(id);
      return 'claimed';
    });
    expect(await Promise.all([claim('a'), claim('a'), claim('b')])).toEqual(['claimed', 'taken', 'claimed']);
    expect(ids('t')).toEqual(['a', 'b']);
  });

  it('flush() commits the queue at once (before the database closes)', async () => {
    const write = open();
    const pending = write('a', 1);
    write.flush();
    expect(ids('t')).toEqual(['a']);
    await pending;
  });
});
