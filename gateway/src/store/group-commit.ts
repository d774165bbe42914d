/**
 * Group commit for SQLite: writes queued in one turn of the event loop share one transaction (one WAL
 * commit) instead of one each. Every write runs in its own savepoint, so one write's constraint error
 * fails only its caller, and each caller's promise settles only after the shared commit.
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
