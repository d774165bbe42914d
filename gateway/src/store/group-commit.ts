/**
 * Group commit for SQLite: writes queued in one turn of the event loop share one transaction (one WAL
 * commit) instead of one each. A batch in which a write fails is replayed with one savepoint per write, so
 * one write's constraint error fails only its caller; each caller's promise settles, with what its write
 * returned, only after the commit. Writes of one batch run in the order queued, each seeing the ones before.
 */
import type Database from 'better-sqlite3';

interface Pending<A extends unknown[], R> {
  args: A;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit<A extends unknown[], R = void> {
  (...args: A): Promise<R>;
  /** Commits what is queued now (before closing the database). */
  flush(): void;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export function groupCommit<A extends unknown[], R = void>(db: Database.Database, write: (...args: A) => R): GroupCommit<A, R> {
  // Nested inside `all`, better-sqlite3 runs this as a savepoint.
  const one = db.transaction(write);
  let queue: Pending<A, R>[] = [];
  let scheduled = false;

  // The common case: no write fails, so the batch needs no savepoints. Should one throw, the whole
  // transaction rolls back and the batch is replayed below, one savepoint per write.
  const plain = db.transaction((batch: Pending<A, R>[]) => batch.map((item) => write(...item.args)));
  const all = db.transaction((batch: Pending<A, R>[]) =>
    batch.map((item): Outcome<R> => {
      try {
        return { ok: true, value: one(...item.args) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      const values = plain.immediate(batch);
      for (const [i, item] of batch.entries()) item.resolve(values[i]!);
      return;
    } catch {
      // Replayed with savepoints: that tells which write failed, and why.
    }
    let outcomes: Outcome<R>[];
    try {
      outcomes = all.immediate(batch);
    } catch (error) {
      // The commit itself failed: nothing of the batch was written.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const [i, item] of batch.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    }
  }

  const enqueue = (...args: A) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ args, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the poll phase: every request parsed in this turn has queued its write by then.
        setImmediate(flush);
      }
    });
  return Object.assign(enqueue, { flush });
}
