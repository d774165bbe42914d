/** A map kept under one key of storage.local, changed one write after the other (read, change, write back). */
import type { StorageArea } from './messenger.js';

export class StoredMap<T> {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: StorageArea,
    private readonly key: string,
    /** The stored value as T, or null when it is not one (dropped). */
    private readonly parse: (value: unknown) => T | null,
  ) {}

  update(change: (map: Record<string, T>) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const map = await this.read();
      change(map);
      await this.storage.set({ [this.key]: map });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async read(): Promise<Record<string, T>> {
    const raw = (await this.storage.get(this.key))[this.key];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const map: Record<string, T> = {};
    for (const [k, value] of Object.entries(raw as Record<string, unknown>)) {
      const v = this.parse(value);
      if (v !== null) map[k] = v;
    }
    return map;
  }

  /** The stored map once every write started before has finished. */
  async settled(): Promise<Record<string, T>> {
    await this.chain;
    return this.read();
  }
}
