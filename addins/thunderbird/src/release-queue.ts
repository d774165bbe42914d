/**
 * Rooms that nobody may know yet: created in an editor or a compose window that has not saved or sent
 * them. Each is written to storage.local before its link is put in the window, so a window that ends
 * without saving, or a Thunderbird that stops (quit, crash, kill), leaves a record; records are released
 * at the next start and retried while the gateway is unreachable.
 */
import type { StorageArea } from './messenger.js';

export const QUEUE_KEY = 'unsavedRooms';

export interface UnsavedRoom {
  /** Where it was created. */
  origin: 'editor' | 'compose';
  createdAt: number;
}

type Queue = Record<string, UnsavedRoom>;

export class ReleaseQueue {
  /** Writes one after the other: each reads the stored list, changes it and writes it back. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly storage: StorageArea) {}

  private update(change: (queue: Queue) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const queue = await this.read();
      change(queue);
      await this.storage.set({ [QUEUE_KEY]: queue });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async read(): Promise<Queue> {
    const raw = (await this.storage.get(QUEUE_KEY))[QUEUE_KEY];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const queue: Queue = {};
    for (const [code, value] of Object.entries(raw as Record<string, unknown>)) {
      const v = value as Partial<UnsavedRoom> | null;
      if (v && (v.origin === 'editor' || v.origin === 'compose') && typeof v.createdAt === 'number') queue[code] = { origin: v.origin, createdAt: v.createdAt };
    }
    return queue;
  }

  /** Records a room before it is shown anywhere. */
  hold(code: string, origin: UnsavedRoom['origin']): Promise<void> {
    return this.update((q) => void (q[code] = { origin, createdAt: Date.now() }));
  }

  /** The room was saved with an event, sent or kept in a draft: it is no longer ours to release. */
  forget(codes: Iterable<string>): Promise<void> {
    const list = [...codes];
    if (list.length === 0) return Promise.resolve();
    return this.update((q) => {
      for (const code of list) delete q[code];
    });
  }

  async codes(): Promise<string[]> {
    await this.chain;
    return Object.keys(await this.read());
  }
}
