import { startPostgres, type PostgresCluster } from '@visio/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres.ts';
import { StoreUnavailableError, type Store } from '../src/store/store.ts';
import { sampleRoom, storeContract } from './store-contract.ts';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  await cluster?.destroy();
});

storeContract('PostgreSQL', { open: async () => openPostgresStore({ connectionString: await cluster.createDatabase() }) });

describe('PostgreSQL store across instances', () => {
  it('counts rate-limit hits from two instances in one shared window, each hit once', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([openPostgresStore({ connectionString: url, poolSize: 4 }), openPostgresStore({ connectionString: url, poolSize: 4 })]);
    try {
      const now = 1_700_000_030_000;
      const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hitRateLimit('rooms-user:alice', 60_000, now)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(hits.map((h) => h.resetAt))).toEqual(new Set([1_700_000_040_000]));
      // A refresh token rotated on both instances at once: exactly one wins, the other sees reuse.
      await a.insertRefreshToken({ hash: 'rt-x', familyId: 'fam-x', clientId: 'web', user: { sub: 'alice', email: 'alice@example.gouv.fr' }, expiresAt: now + 1e6, familyExpiresAt: now + 2e6 });
      const uses = await Promise.all([a.useRefreshToken('rt-x', 'web', now), b.useRefreshToken('rt-x', 'web', now)]);
      expect(uses.map((u) => u.state).sort()).toEqual(['ok', 'reused']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('migrates once when six instances start at the same time on an empty database', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore({ connectionString: url, poolSize: 2 })));
    try {
      const versions = await cluster.query('SELECT version FROM schema_migrations ORDER BY version', [], new URL(url).pathname.slice(1));
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
      await stores[0]!.insertRoom(sampleRoom({ code: 'mig-abcd-efg' }));
      expect((await stores[5]!.getRoom('mig-abcd-efg'))?.code).toBe('mig-abcd-efg');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('gives one claim among 60 concurrent ones spread over three pools', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ connectionString: url, poolSize: 5 })));
    try {
      const claims = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3]!.claimKey('a@example.gouv.fr', 'key:k', 'fp', 60_000)));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('completes keys through the primary key after the table grew past the size it had when the statements were first run', async () => {
    const url = await cluster.createDatabase();
    const db = new URL(url).pathname.slice(1);
    // One connection: every statement below runs on it, with whatever plans it has cached.
    const store = await openPostgresStore({ connectionString: url, poolSize: 1 });
    const owner = 'plan@example.gouv.fr';
    const create = async (key: string) => {
      expect(await store.claimKey(owner, key, 'fp', 60_000)).toEqual({ state: 'claimed' });
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { completes: { owner, key } });
      return room.code;
    };
    try {
      // Run often enough on an empty table for PostgreSQL to settle on a plan for the named statements.
      for (let i = 0; i < 12; i++) await create(`key:small-${i}`);
      await cluster.query(
        "INSERT INTO idempotency_keys (owner, key, fingerprint, room_code, claimed_at) SELECT 'other@example.gouv.fr', 'key:' || g, 'fp', NULL, 0 FROM generate_series(1, 50000) g",
        [],
        db,
      );
      for (let i = 0; i < 12; i++) {
        const code = await create(`key:large-${i}`);
        expect(await store.claimKey(owner, `key:large-${i}`, 'fp', 60_000)).toEqual({ state: 'done', roomCode: code });
      }
    } finally {
      // A closing connection reports its statistics before it goes.
      await store.close();
    }
    // A plan kept from the empty table reads the whole table for each creation: 12 x 50,000 rows.
    const [stats] = await cluster.query("SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'idempotency_keys'", [], db);
    expect(Number(stats!.seq_tup_read)).toBeLessThan(50_000);
  });

  it('refuses to open on an unreachable database with StoreUnavailableError', async () => {
    const url = cluster.urlFor('postgres').replace(`:${cluster.port}/`, ':1/');
    await expect(openPostgresStore({ connectionString: url, connectTimeoutMs: 2_000 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('fails with StoreUnavailableError while the database is down and recovers by itself when it is back', async () => {
    const url = await cluster.createDatabase();
    const idleErrors: Error[] = [];
    const store: Store = await openPostgresStore({ connectionString: url, poolSize: 3, connectTimeoutMs: 2_000, onIdleError: (e) => idleErrors.push(e) });
    try {
      // Warm connections that the restart will cut.
      await Promise.all([store.ping(), store.ping(), store.ping()]);
      await cluster.stop();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.insertRoom(sampleRoom({ code: 'dwn-abcd-efg' }))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.claimKey('a@example.gouv.fr', 'key:down', 'fp', 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      await cluster.start();
      await store.ping();
      expect(await store.getRoom('dwn-abcd-efg')).toBeNull();
      expect(await store.claimKey('a@example.gouv.fr', 'key:down', 'fp', 60_000)).toEqual({ state: 'claimed' });
    } finally {
      await store.close();
    }
  }, 60_000);
});
