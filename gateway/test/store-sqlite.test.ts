import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { tempDir } from './harness.ts';
import { sampleRoom, storeContract } from './store-contract.ts';

storeContract('SQLite', { open: async () => openSqliteStore(tempDir('visio-store-')) });

it('SQLite: the WAL is checkpointed by the worker thread, the writing connection never blocks on it', async () => {
  const dir = tempDir('visio-checkpoint-');
  const store = openSqliteStore(dir);
  const file = join(dir, 'gateway.sqlite');
  const before = statSync(file).size;
  for (let batch = 0; batch < 30; batch++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.insertRoom(sampleRoom({ code: `cpt-${String(batch).padStart(4, '0')}-${String(i).padStart(3, '0')}` }))));
  }
  // The writer's own checkpoints are off: pages reach the database file only through the worker.
  const deadline = Date.now() + 20_000;
  while (statSync(file).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(statSync(file).size).toBeGreaterThan(before);
  expect((await store.getRoom('cpt-0029-099'))?.code).toBe('cpt-0029-099');
  await store.close();
});
