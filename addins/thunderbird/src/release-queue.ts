/**
 * Rooms that nobody may know yet: created in an editor or a compose window that has not saved or sent
 * them. Each is written to storage.local before its link is put in the window, so a window that ends
 * without saving, or a Thunderbird that stops (quit, crash, kill), leaves a record; records are released
 * at the next start and retried while the gateway is unreachable.
 */
import type { StorageArea } from './messenger.js';
import { StoredMap } from './stored-map.js';

export const QUEUE_KEY = 'unsavedRooms';

export interface UnsavedRoom {
  /** Where it was created. */
  origin: 'editor' | 'compose';
  createdAt: number;
}

function parseUnsaved(value: unknown): UnsavedRoom | null {
  const v = value as Partial<UnsavedRoom> | null;
  return v && (v.origin === 'editor' || v.origin === 'compose') && typeof v.createdAt === 'number' ? { origin: v.origin, createdAt: v.createdAt } : null;
}

export class ReleaseQueue {
  private readonly map: StoredMap<UnsavedRoom>;

  constructor(storage: StorageArea) {
    this.map = new StoredMap(storage, QUEUE_KEY, parseUnsaved);
  }

  read(): Promise<Record<string, UnsavedRoom>> {
    return this.map.read();
  }

  /** Records a room before it is shown anywhere. */
  hold(code: string, origin: UnsavedRoom['origin']): Promise<void> {
    return this.map.update((q) => void (q[code] = { origin, createdAt: Date.now() }));
  }

  /** The room was saved with an event, sent or kept in a draft: it is no longer ours to release. */
  forget(codes: Iterable<string>): Promise<void> {
    const list = [...codes];
    if (list.length === 0) return Promise.resolve();
    return this.map.update((q) => {
      for (const code of list) delete q[code];
    });
  }

  async codes(): Promise<string[]> {
    return Object.keys(await this.map.settled());
  }
}
