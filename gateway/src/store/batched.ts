/**
 * Calls made in one turn of the event loop sent as one database statement: a round trip's fixed cost (pool
 * checkout, protocol messages, the socket's system calls, the client library's parsing) is shared by every
 * caller instead of paid by each. When the shared statement is refused as a whole (a unique violation of
 * one row, say) and `retryAlone` says the database rolled it back, each call is retried alone, so a refusal
 * reaches only its caller; any other failure (the connection lost: the statement may have committed) fails
 * every caller of the batch.
 */
export interface BatchOptions<A, R> {
  /** Runs a batch: one result per item, in order. */
  many(items: A[]): Promise<R[]>;
  /** Runs one item alone. */
  one(item: A): Promise<R>;
  /** True when `error` left nothing written, so the items may be retried one by one. */
  retryAlone(error: unknown): boolean;
  /** Items with the same key go to different batches (a statement may not touch one row twice). */
  key?: (item: A) => string;
  /** Largest batch (statement size). */
  max?: number;
}

interface Pending<A, R> {
  item: A;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function batched<A, R>(options: BatchOptions<A, R>): (item: A) => Promise<R> {
  const { many, one, retryAlone, key, max = 200 } = options;
  let queue: Pending<A, R>[] = [];
  let scheduled = false;

  async function run(batch: Pending<A, R>[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch as [Pending<A, R>];
      return one(only.item).then(only.resolve, only.reject);
    }
    let results: R[];
    try {
      results = await many(batch.map((p) => p.item));
    } catch (error) {
      if (!retryAlone(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      await Promise.all(batch.map((p) => one(p.item).then(p.resolve, p.reject)));
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
  }

  function flush(): void {
    scheduled = false;
    const pending = queue;
    queue = [];
    while (pending.length > 0) {
      const batch: Pending<A, R>[] = [];
      const seen = new Set<string>();
      const later: Pending<A, R>[] = [];
      for (const p of pending) {
        const k = key?.(p.item);
        if (batch.length >= max || (k !== undefined && seen.has(k))) later.push(p);
        else {
          batch.push(p);
          if (k !== undefined) seen.add(k);
        }
      }
      void run(batch);
      pending.splice(0, pending.length, ...later);
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the poll phase: every request parsed in this turn has queued its statement by then.
        setImmediate(flush);
      }
    });
}
