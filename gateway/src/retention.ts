/**
 * The retention job: ends rooms whose meeting is long over, rooms made for an editor that never saved,
 * and old instant rooms; then retries provider deletions that failed. One runner at a time across
 * instances (the store's job lock); each room is ended once even without it (the end is conditional).
 */
import type { Logger } from './logger.js';
import type { RoomService } from './rooms.js';
import type { Store } from './store/store.js';

export interface RetentionOptions {
  store: Store;
  rooms: Pick<RoomService, 'release' | 'cleanup'>;
  retentionDays: number;
  draftTtlMs: number;
  now?: () => Date;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** Rooms handled per store query. */
  batchSize?: number;
}

export interface RetentionRun {
  /** False when another instance held the job. */
  ran: boolean;
  ended: number;
  cleaned: number;
}

const DAY_MS = 86_400_000;
// Bounds one run (the next run, an hour later, carries on).
const MAX_BATCHES = 20;

export function createRetentionJob(options: RetentionOptions): () => Promise<RetentionRun> {
  const { store, rooms } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 200;
  const audit = { client: 'retention' };

  return async function runRetention(): Promise<RetentionRun> {
    let ended = 0;
    let cleaned = 0;
    const ran = await store.runExclusive('room-retention', async () => {
      const t = now().getTime();
      const query = {
        scheduleEndedBefore: new Date(t - options.retentionDays * DAY_MS).toISOString(),
        draftCreatedBefore: new Date(t - options.draftTtlMs).toISOString(),
        instantCreatedBefore: new Date(t - options.retentionDays * DAY_MS).toISOString(),
        limit: batchSize,
      };
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const due = await store.listRoomsToEnd(query);
        for (const { room, reason } of due) if ((await rooms.release(room, reason, audit)).ended) ended++;
        if (due.length < batchSize) break;
      }
      // Deletions that failed before (provider down): one attempt per room and run.
      for (const room of await store.listPendingCleanups(batchSize)) {
        if ((await rooms.cleanup(room)).providerDeleted) cleaned++;
      }
    });
    if (ended || cleaned) options.log?.info('retention job ended rooms', { ended, cleaned });
    return { ran, ended, cleaned };
  };
}
