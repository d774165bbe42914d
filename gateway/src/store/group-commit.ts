/**
 * Group commit for SQLite: writes queued in one turn of the event loop share one transaction (one WAL
 * commit) instead of one each. A batch in which a write fails is replayed with one savepoint per write, so
 * one write's constraint error fails only its caller; each caller's promise settles only after the commit.
 */
import type Database from 'better-sqlite3';

interface Pending<A extends unknown[]> {
  args: A;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit<A extends unknown[]> {
  (...args: A): Promise<void>;
  /** Commits what is queued now (before closing the database). */
  flush(): void;
}

export function groupCommit<A extends unknown[]>(db: Database.Database, write: (...args: A) => void): GroupCommit<A> {
  // Nested inside `all`, better-sqlite3 runs this as a savepoint.
  const one = db.transaction(write);
  let queue: Pending<A>[] = [];
  let scheduled = false;

  // The common case: no write fails, so the batch needs no savepoints. Should one throw, the whole
  // transaction rolls back and the batch is replayed below, one savepoint per write.
  const plain = db.transaction((batch: Pending<A>[]) => {
    for (const item of batch) write(...item.args);
  });
  const all = db.transaction((batch: Pending<A>[]) => {
    const failed = new Map<Pending<A>, unknown>();
    for (const item of batch) {
      try {
        one(...item.args);
      } catch (error) {
        failed.set(item, error);
      }
    }
    return failed;
  });

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      plain.immediate(batch);
      for (const item of batch) item.resolve();
      return;
    } catch {
      // Replayed with savepoints: that tells which write failed, and why.
    }
    let failed: Map<Pending<A>, unknown>;
    try {
      failed = all.immediate(batch);
    } catch (error) {
      // The commit itself failed: nothing of the batch was written.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      if (failed.has(item)) item.reject(failed.get(item));
      else item.resolve();
    }
  }

  const enqueue = (...args: A) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ args, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the poll phase: every request parsed in this turn has queued its write by then.
        setImmediate(flush);
      }
    });
  return Object.assign(enqueue, { flush });
}
