/**
 * The Store contract: one suite every store implementation passes (SQLite, PostgreSQL).
 * `open()` must return a fresh, empty store each time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DuplicateRoomError, type Store, type StoredRoom } from '../src/store/store.ts';

export interface StoreFactory {
  open(): Promise<Store>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
export function sampleRoom(overrides: Partial<StoredRoom> = {}): StoredRoom {
  const n = (seq++).toString().padStart(3, '0');
  const code = overrides.code ?? `abc-defg-${n}`;
  return {
    code,
    owner: 'agent@example.gouv.fr',
    url: `https://visio.numerique.gouv.fr/${code}`,
    accessLevel: 'trusted',
    provider: 'standalone',
    createdAt: '2026-03-01T10:00:00.000Z',
    ...overrides,
  };
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await factory.open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('stores and reads back a room with every field, and without the optional ones', async () => {
      const store = await open();
      const full = sampleRoom({
        title: 'Comité « stratégie » & budget',
        eventUid: 'evt-1@example.gouv.fr',
        telephony: { phoneNumber: '+33187210000', pin: '1234567890' },
        providerRef: '7f1c2a9e-0000-4000-8000-000000000001',
        accessLevel: 'restricted',
        provider: 'meet',
      });
      const bare = sampleRoom();
      await store.insertRoom(full);
      await store.insertRoom(bare);
      expect(await store.getRoom(full.code)).toEqual(full);
      const readBare = await store.getRoom(bare.code);
      expect(readBare).toEqual(bare);
      expect(readBare).not.toHaveProperty('title', null);
      expect(readBare?.title).toBeUndefined();
      expect(readBare?.telephony).toBeUndefined();
      expect(await store.getRoom('zzz-zzzz-zzz')).toBeNull();
    });

    it('refuses a duplicate code and a duplicate event of the same owner, not of another owner', async () => {
      const store = await open();
      const room = sampleRoom({ eventUid: 'evt-dup' });
      await store.insertRoom(room);
      const sameCode = store.insertRoom({ ...sampleRoom(), code: room.code });
      await expect(sameCode).rejects.toBeInstanceOf(DuplicateRoomError);
      await expect(sameCode).rejects.toMatchObject({ field: 'code' });
      const sameEvent = store.insertRoom(sampleRoom({ eventUid: 'evt-dup' }));
      await expect(sameEvent).rejects.toMatchObject({ name: 'DuplicateRoomError', field: 'eventUid' });
      await store.insertRoom(sampleRoom({ eventUid: 'evt-dup', owner: 'other@example.gouv.fr' }));
      expect((await store.findRoomByEvent(room.owner, 'evt-dup'))?.code).toBe(room.code);
      expect((await store.findRoomByEvent('other@example.gouv.fr', 'evt-dup'))?.owner).toBe('other@example.gouv.fr');
      expect(await store.findRoomByEvent(room.owner, 'evt-none')).toBeNull();
    });

    it("pages an owner's rooms newest first, ties broken by code, without gaps or repeats", async () => {
      const store = await open();
      const owner = 'pager@example.gouv.fr';
      const rooms: StoredRoom[] = [];
      for (let i = 0; i < 7; i++) {
        // Three rooms share a timestamp: the cursor must still move strictly forward.
        const createdAt = `2026-03-0${i < 3 ? 1 : i}T10:00:00.000Z`;
        rooms.push(sampleRoom({ owner, createdAt, code: `pag-${'abcdefg'[i]}xyz-abc` }));
      }
      for (const r of [...rooms].reverse()) await store.insertRoom(r);
      await store.insertRoom(sampleRoom({ owner: 'someone-else@example.gouv.fr' }));
      const expected = [...rooms].sort((a, b) => (a.createdAt === b.createdAt ? (a.code < b.code ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
      const seen: string[] = [];
      let after: { createdAt: string; code: string } | undefined;
      for (;;) {
        const page = await store.listRooms({ owner, limit: 3, after });
        seen.push(...page.map((r) => r.code));
        const last = page.at(-1);
        if (page.length < 3 || !last) break;
        after = { createdAt: last.createdAt, code: last.code };
      }
      expect(seen).toEqual(expected.map((r) => r.code));
      expect(await store.listRooms({ owner: 'nobody@example.gouv.fr', limit: 10 })).toEqual([]);
    });

    it('claims a key once: claimed, then pending, mismatch for another body, done after completion', async () => {
      const store = await open();
      const owner = 'k@example.gouv.fr';
      expect(await store.claimKey(owner, 'key:a', 'fp1', 60_000)).toEqual({ state: 'claimed' });
      expect(await store.claimKey(owner, 'key:a', 'fp1', 60_000)).toEqual({ state: 'pending' });
      expect(await store.claimKey(owner, 'key:a', 'fp2', 60_000)).toEqual({ state: 'mismatch' });
      // Keys belong to their owner.
      expect(await store.claimKey('other@example.gouv.fr', 'key:a', 'fp2', 60_000)).toEqual({ state: 'claimed' });
      const room = sampleRoom({ owner });
      await store.insertRoom(room);
      await store.completeKey(owner, 'key:a', room.code);
      expect(await store.claimKey(owner, 'key:a', 'fp1', 60_000)).toEqual({ state: 'done', roomCode: room.code });
      expect(await store.claimKey(owner, 'key:a', 'fp2', 60_000)).toEqual({ state: 'mismatch' });
    });

    it('claims sent in the same turn: the first of a key wins, a repeat waits, another body is refused, other keys are claimed', async () => {
      const store = await open();
      const owner = 'turn@example.gouv.fr';
      const claims = await Promise.all([
        store.claimKey(owner, 'key:t', 'fp', 60_000),
        store.claimKey(owner, 'key:t', 'fp', 60_000),
        store.claimKey(owner, 'key:u', 'fp', 60_000),
        store.claimKey(owner, 'key:t', 'other', 60_000),
      ]);
      expect(claims.map((c) => c.state)).toEqual(['claimed', 'pending', 'claimed', 'mismatch']);
    });

    it('completes the key in the same write as the room, and leaves it claimed when the insert fails', async () => {
      const store = await open();
      const owner = 'atomic@example.gouv.fr';
      await store.claimKey(owner, 'key:x', 'fp', 60_000);
      const room = sampleRoom({ owner, eventUid: 'evt-x' });
      await store.insertRoom(room, { completes: { owner, key: 'key:x' } });
      expect(await store.claimKey(owner, 'key:x', 'fp', 60_000)).toEqual({ state: 'done', roomCode: room.code });

      await store.claimKey(owner, 'key:y', 'fp', 60_000);
      await expect(store.insertRoom(sampleRoom({ owner, eventUid: 'evt-x' }), { completes: { owner, key: 'key:y' } })).rejects.toBeInstanceOf(DuplicateRoomError);
      expect(await store.claimKey(owner, 'key:y', 'fp', 60_000)).toEqual({ state: 'pending' });
      expect(await store.listRooms({ owner, limit: 10 })).toHaveLength(1);
    });

    it('releases an unfinished claim, never a completed one', async () => {
      const store = await open();
      const owner = 'rel@example.gouv.fr';
      await store.claimKey(owner, 'key:r', 'fp', 60_000);
      await store.releaseKey(owner, 'key:r');
      expect(await store.claimKey(owner, 'key:r', 'other-fp', 60_000)).toEqual({ state: 'claimed' });
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { completes: { owner, key: 'key:r' } });
      await store.releaseKey(owner, 'key:r');
      expect(await store.claimKey(owner, 'key:r', 'other-fp', 60_000)).toEqual({ state: 'done', roomCode: room.code });
    });

    it('takes over a stale claim (its holder died) with the same body only, once among concurrent callers', async () => {
      const store = await open();
      const owner = 'stale@example.gouv.fr';
      await store.claimKey(owner, 'key:s', 'fp', 60_000);
      await sleep(2_500);
      expect(await store.claimKey(owner, 'key:s', 'fp', 60_000)).toEqual({ state: 'pending' });
      expect(await store.claimKey(owner, 'key:s', 'fp-other', 2_000)).toEqual({ state: 'mismatch' });
      // 2 s: old enough for the first claim, far longer than the 20 calls take even on a loaded machine,
      // so the winner's claim is fresh for the others.
      const takeovers = await Promise.all(Array.from({ length: 20 }, () => store.claimKey(owner, 'key:s', 'fp', 2_000)));
      expect(takeovers.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(takeovers.filter((c) => c.state === 'pending')).toHaveLength(19);
      // The fresh claim is not stale any more for a long threshold.
      expect(await store.claimKey(owner, 'key:s', 'fp', 60_000)).toEqual({ state: 'pending' });
      // A completed key is never taken over, however old.
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { completes: { owner, key: 'key:s' } });
      await sleep(10);
      expect(await store.claimKey(owner, 'key:s', 'fp', 1)).toEqual({ state: 'done', roomCode: room.code });
    });

    it('gives exactly one of 50 concurrent claims of a new key', async () => {
      const store = await open();
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claimKey('race@example.gouv.fr', 'key:race', 'fp', 60_000)));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.state === 'pending')).toHaveLength(49);
    });

    it('creations sent together (stores may share one write): a duplicate fails alone, the others keep their key and audit entry', async () => {
      const store = await open();
      const owner = 'together@example.gouv.fr';
      const taken = sampleRoom({ owner });
      await store.insertRoom(taken);
      const keys = Array.from({ length: 12 }, (_, i) => `key:t${i}`);
      const claims = await Promise.all([...keys, keys[0]!].map((key) => store.claimKey(owner, key, 'fp', 60_000)));
      expect(claims.map((c) => c.state)).toEqual([...keys.map(() => 'claimed'), 'pending']);
      const rooms = keys.map((_, i) => (i === 5 ? { ...taken, title: 'same code' } : sampleRoom({ owner, title: `room ${i}` })));
      const results = await Promise.allSettled(
        rooms.map((room, i) => store.insertRoom(room, { completes: { owner, key: keys[i]! }, audit: { client: 'outlook', at: `2026-03-02T10:00:00.0${String(i).padStart(2, '0')}Z` } })),
      );
      expect(results.map((r) => r.status)).toEqual(rooms.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
      expect((results[5] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateRoomError);
      for (const [i, room] of rooms.entries()) {
        if (i === 5) {
          expect(await store.getRoom(taken.code)).toEqual(taken);
          expect(await store.claimKey(owner, keys[i]!, 'fp', 60_000)).toEqual({ state: 'pending' });
        } else {
          expect(await store.getRoom(room.code)).toEqual(room);
          expect(await store.claimKey(owner, keys[i]!, 'fp', 60_000)).toEqual({ state: 'done', roomCode: room.code });
        }
      }
      expect((await store.listAudit({ owner, limit: 20 })).map((e) => e.roomCode).sort()).toEqual(
        rooms
          .filter((_, i) => i !== 5)
          .map((r) => r.code)
          .sort(),
      );
    });

    it('deletes a room of its owner with the keys that led to it; another owner deletes nothing', async () => {
      const store = await open();
      const owner = 'del@example.gouv.fr';
      await store.claimKey(owner, 'key:d', 'fp', 60_000);
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { completes: { owner, key: 'key:d' } });
      expect(await store.deleteRoom(room.code, 'intruder@example.gouv.fr')).toBe(false);
      expect(await store.getRoom(room.code)).toEqual(room);
      expect(await store.deleteRoom(room.code, owner)).toBe(true);
      expect(await store.getRoom(room.code)).toBeNull();
      expect(await store.deleteRoom(room.code, owner)).toBe(false);
      // The key is free again: a new request with it makes a new room.
      expect(await store.claimKey(owner, 'key:d', 'fp', 60_000)).toEqual({ state: 'claimed' });
    });

    it('writes the audit stamp with the room, pages the trail newest first, and forgets no deletion', async () => {
      const store = await open();
      const owner = 'audited@example.gouv.fr';
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { audit: { client: 'outlook', at: '2026-03-01T10:00:00.000Z' } });
      await expect(store.insertRoom({ ...sampleRoom({ owner }), code: room.code }, { audit: { client: 'web', at: '2026-03-01T10:00:01.000Z' } })).rejects.toBeInstanceOf(DuplicateRoomError);
      expect(await store.deleteRoom(room.code, owner, { client: 'web', at: '2026-03-01T11:00:00.000Z' })).toBe(true);
      await store.appendAudit({ owner, action: 'room.create', roomCode: 'zzz-zzzz-zzz', client: 'caldav', at: '2026-03-01T09:00:00.000Z' });
      const all = await store.listAudit({ owner, limit: 10 });
      expect(all).toEqual([
        { owner, action: 'room.delete', roomCode: room.code, client: 'web', at: '2026-03-01T11:00:00.000Z' },
        { owner, action: 'room.create', roomCode: room.code, client: 'outlook', at: '2026-03-01T10:00:00.000Z' },
        { owner, action: 'room.create', roomCode: 'zzz-zzzz-zzz', client: 'caldav', at: '2026-03-01T09:00:00.000Z' },
      ]);
      expect(await store.listAudit({ owner, limit: 2, before: all[1] })).toEqual([all[2]]);
      expect(await store.listAudit({ owner: 'other@example.gouv.fr', limit: 10 })).toEqual([]);
    });

    it('takes a one-time record once: then replayed (with its family), unknown or expired', async () => {
      const store = await open();
      await store.putOneTime('code', 'h1', { sub: 'alice', n: 1 }, 2_000);
      await store.putOneTime('code', 'h2', { sub: 'bob' }, 1_000);
      expect(await store.takeOneTime('code', 'h1', 1_500)).toEqual({ state: 'ok', payload: { sub: 'alice', n: 1 } });
      await store.linkOneTime('code', 'h1', 'fam-1');
      expect(await store.takeOneTime('code', 'h1', 1_600)).toEqual({ state: 'replayed', familyId: 'fam-1' });
      expect(await store.takeOneTime('login', 'h1', 1_600)).toEqual({ state: 'unknown' });
      expect(await store.takeOneTime('code', 'h2', 1_500)).toEqual({ state: 'expired' });
      const race = await Promise.all([store.putOneTime('login', 'h3', {}, 9_000)].map(() => Promise.all([store.takeOneTime('login', 'h3', 1), store.takeOneTime('login', 'h3', 1)])));
      expect(race[0]!.map((r) => r.state).sort()).toEqual(['ok', 'replayed']);
    });

    it('rotates refresh tokens once, revokes the family on reuse, and ends families', async () => {
      const store = await open();
      const user = { sub: 'alice', email: 'alice@example.gouv.fr', name: 'Alice' };
      await store.insertRefreshToken({ hash: 'r1', familyId: 'f1', clientId: 'web', user, expiresAt: 10_000, familyExpiresAt: 20_000 });
      expect(await store.useRefreshToken('r1', 'browser', 100)).toEqual({ state: 'wrong-client' });
      expect(await store.useRefreshToken('nope', 'web', 100)).toEqual({ state: 'unknown' });
      expect(await store.useRefreshToken('r1', 'web', 100)).toEqual({ state: 'ok', token: { hash: 'r1', familyId: 'f1', clientId: 'web', user, expiresAt: 10_000, familyExpiresAt: 20_000 } });
      await store.insertRefreshToken({ hash: 'r2', familyId: 'f1', clientId: 'web', user, expiresAt: 30_000, familyExpiresAt: 20_000 });
      expect(await store.isFamilyActive('f1', 200)).toBe(true);
      expect(await store.useRefreshToken('r1', 'web', 300)).toEqual({ state: 'reused' });
      expect(await store.isFamilyActive('f1', 300)).toBe(false);
      expect(await store.useRefreshToken('r2', 'web', 300)).toEqual({ state: 'revoked' });
      await store.insertRefreshToken({ hash: 'r3', familyId: 'f3', clientId: 'web', user, expiresAt: 1_000, familyExpiresAt: 5_000 });
      expect(await store.useRefreshToken('r3', 'web', 1_000)).toEqual({ state: 'expired' });
      expect(await store.isFamilyActive('f3', 5_000)).toBe(false);
      await store.insertRefreshToken({ hash: 'r4', familyId: 'f4', clientId: 'web', user, expiresAt: 9_000, familyExpiresAt: 9_000 });
      await store.revokeFamily({ hash: 'r4' }, 400);
      expect(await store.isFamilyActive('f4', 500)).toBe(false);
      await store.purgeExpired(100_000_000);
      expect(await store.useRefreshToken('r4', 'web', 500)).toEqual({ state: 'unknown' });
    });

    it('keeps a family without refresh token (join session): active until revoked or expired, then purged', async () => {
      const store = await open();
      await store.insertFamily({ id: 'j1', clientId: 'join', sub: 'alice', expiresAt: 10_000 });
      await store.insertFamily({ id: 'j2', clientId: 'join', sub: 'bob', expiresAt: 10_000 });
      expect(await store.isFamilyActive('j1', 100)).toBe(true);
      expect(await store.isFamilyActive('j1', 10_000)).toBe(false);
      await store.revokeFamily({ familyId: 'j1' }, 200);
      expect(await store.isFamilyActive('j1', 300)).toBe(false);
      expect(await store.isFamilyActive('j2', 300)).toBe(true);
      // A second insert of the same id changes nothing (a revoked family stays revoked).
      await store.insertFamily({ id: 'j1', clientId: 'join', sub: 'alice', expiresAt: 20_000 });
      expect(await store.isFamilyActive('j1', 300)).toBe(false);
      await store.purgeExpired(100_000_000);
      expect(await store.isFamilyActive('j2', 300)).toBe(false);
    });

    it('keeps service keys hashed, finds only active ones, revokes by id or name', async () => {
      const store = await open();
      await store.insertServiceKey({ id: 'k1', name: 'caldav', hash: 'hk1', scopes: ['rooms:read', 'rooms:write'], createdAt: '2026-03-01T10:00:00.000Z' });
      await store.insertServiceKey({ id: 'k2', name: 'other', hash: 'hk2', scopes: ['audit:read'], createdAt: '2026-03-01T11:00:00.000Z' });
      await expect(store.insertServiceKey({ id: 'k3', name: 'caldav', hash: 'hk3', scopes: [], createdAt: '2026-03-01T12:00:00.000Z' })).rejects.toThrow();
      expect(await store.findServiceKey('hk1')).toEqual({ id: 'k1', name: 'caldav', hash: 'hk1', scopes: ['rooms:read', 'rooms:write'], createdAt: '2026-03-01T10:00:00.000Z' });
      expect(await store.revokeServiceKey('caldav', Date.parse('2026-03-02T00:00:00.000Z'))).toBe(true);
      expect(await store.revokeServiceKey('caldav', Date.now())).toBe(false);
      expect(await store.revokeServiceKey('k2', Date.now())).toBe(true);
      expect(await store.findServiceKey('hk1')).toBeNull();
      expect((await store.listServiceKeys()).map((k) => [k.id, k.revokedAt !== undefined])).toEqual([
        ['k1', true],
        ['k2', true],
      ]);
      expect((await store.listServiceKeys())[0]!.revokedAt).toBe('2026-03-02T00:00:00.000Z');
    });

    it('counts rate-limit hits per bucket in fixed windows, concurrent hits each once', async () => {
      const store = await open();
      const t = 1_700_000_030_000;
      const hits = await Promise.all(Array.from({ length: 20 }, () => store.hitRateLimit('b', 60_000, t)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(hits[0]!.resetAt).toBe(1_700_000_040_000);
      expect(await store.hitRateLimit('other', 60_000, t)).toEqual({ count: 1, resetAt: 1_700_000_040_000 });
      expect(await store.hitRateLimit('b', 60_000, 1_700_000_040_000)).toEqual({ count: 1, resetAt: 1_700_000_100_000 });
    });

    it('marks rooms ended and running again', async () => {
      const store = await open();
      const room = sampleRoom();
      await store.insertRoom(room);
      expect(await store.markRoomEnded(room.code, '2026-03-01T12:00:00.000Z')).toBe(true);
      expect((await store.getRoom(room.code))?.endedAt).toBe('2026-03-01T12:00:00.000Z');
      expect(await store.markRoomEnded(room.code, null)).toBe(true);
      expect((await store.getRoom(room.code))?.endedAt).toBeUndefined();
      expect(await store.markRoomEnded('nop-nope-nop', null)).toBe(false);
    });

    it('binds a pending creation to one provider room only once', async () => {
      const store = await open();
      const base = { owner: 'agent@example.gouv.fr', provider: 'meet' as const, startedAt: '2026-03-01T10:00:00.000Z' };
      await store.recordPendingCreation({ id: 'p1', ...base, baseline: ['m-1', 'm-2'] });
      await store.recordPendingCreation({ id: 'p2', ...base, baseline: [] });
      expect(await store.getPendingCreation('p1')).toEqual({ id: 'p1', ...base, baseline: ['m-1', 'm-2'] });
      const race = await Promise.all([store.settlePendingCreation('p1', 'm-3'), store.settlePendingCreation('p2', 'm-3')]);
      expect(race.filter(Boolean)).toHaveLength(1);
      const winner = race[0] ? 'p1' : 'p2';
      expect(await store.settlePendingCreation(winner, 'm-3')).toBe(true);
      await store.insertRoom(sampleRoom({ provider: 'meet', providerRef: 'm-9' }));
      expect(await store.settlePendingCreation(winner === 'p1' ? 'p2' : 'p1', 'm-9')).toBe(false);
      expect(await store.settlePendingCreation('unknown', 'm-4')).toBe(false);
      await store.dropPendingCreation(winner);
      expect(await store.getPendingCreation(winner)).not.toBeNull();
      const loser = winner === 'p1' ? 'p2' : 'p1';
      await store.dropPendingCreation(loser);
      expect(await store.getPendingCreation(loser)).toBeNull();
    });

    it('keeps a migration plan with its items, and records each outcome once', async () => {
      const store = await open();
      const migration = {
        id: 'mig-1',
        owner: 'agent@example.gouv.fr',
        createdAt: '2026-03-01T10:00:00.000Z',
        from: '2026-03-01T10:00:00.000Z',
        to: '2027-03-01T10:00:00.000Z',
        scheduling: 'server' as const,
        appliedAt: null,
      };
      const items = Array.from({ length: 500 }, (_, k) => ({
        id: `item-${k}`,
        position: k,
        data: { href: `https://dav.example/cal/${k}.ics`, title: `Réunion « ${k} »`, providers: ['teams'], organizer: k % 2 === 0 },
        result: (k % 2 === 0 ? 'pending' : 'askOrganizer') as 'pending' | 'askOrganizer',
        room: null,
        error: null,
      }));
      await store.insertMigration(migration, items);
      const read = await store.getMigration('mig-1');
      expect(read?.migration).toEqual(migration);
      expect(read?.items).toEqual(items);
      expect(await store.getMigration('nope')).toBeNull();

      await store.markMigrationApplied('mig-1', '2026-03-01T11:00:00.000Z', ['item-2', 'item-1']);
      await store.markMigrationApplied('mig-1', '2026-03-01T12:00:00.000Z', []);
      const applied = await store.getMigration('mig-1');
      expect(applied?.migration.appliedAt).toBe('2026-03-01T11:00:00.000Z');
      expect(applied?.items[2]?.result).toBe('skipped');
      expect(applied?.items[1]?.result).toBe('askOrganizer');

      // Concurrent recorders of one item: one wins. A failed item may be recorded again; a done one may not.
      const race = await Promise.all([
        store.recordMigrationItem('mig-1', 'item-0', { result: 'converted', room: 'abc-defg-hij', error: null }),
        store.recordMigrationItem('mig-1', 'item-0', { result: 'converted', room: 'xyz-defg-hij', error: null }),
      ]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect(await store.recordMigrationItem('mig-1', 'item-4', { result: 'failed', room: null, error: 'CalDAV 502' })).toBe(true);
      expect(await store.recordMigrationItem('mig-1', 'item-4', { result: 'converted', room: 'abc-defg-hik', error: null })).toBe(true);
      expect(await store.recordMigrationItem('mig-1', 'item-4', { result: 'failed', room: null, error: 'late' })).toBe(false);
      expect(await store.recordMigrationItem('mig-1', 'item-1', { result: 'converted', room: 'x', error: null })).toBe(false);
      expect(await store.recordMigrationItem('mig-1', 'item-2', { result: 'converted', room: 'x', error: null })).toBe(false);
      const after = await store.getMigration('mig-1');
      expect(after?.items[0]).toMatchObject({ result: 'converted', room: race[0] ? 'abc-defg-hij' : 'xyz-defg-hij' });
      expect(after?.items[4]).toMatchObject({ result: 'converted', room: 'abc-defg-hik', error: null });
    });

    it("keeps a room's schedule, attaches it once, and ends it once with its audit entry", async () => {
      const store = await open();
      const owner = 'life@example.gouv.fr';
      const schedule = { start: '2026-03-02T10:00:00', end: '2026-03-02T11:00:00', timeZone: 'Europe/Paris', recurrenceEnd: null };
      const room = sampleRoom({ owner, eventUid: 'evt-life', ownerEmail: 'life@example.gouv.fr', schedule, attachedAt: '2026-03-01T10:00:00.000Z' });
      await store.claimKey(owner, 'event:evt-life', 'fp', 60_000);
      await store.insertRoom(room, { completes: { owner, key: 'event:evt-life' } });
      expect(await store.getRoom(room.code)).toEqual(room);

      const moved = { start: '2026-03-03T10:00:00', end: '2026-03-03T11:00:00', timeZone: 'Europe/Paris' };
      expect(await store.setSchedule(room.code, 'intruder@example.gouv.fr', moved, null, '2026-03-01T12:00:00.000Z')).toBeNull();
      const updated = await store.setSchedule(room.code, owner, moved, '2026-03-03T10:00:00.000Z', '2026-03-01T12:00:00.000Z');
      expect(updated).toMatchObject({ schedule: moved, scheduleEndsAt: '2026-03-03T10:00:00.000Z', attachedAt: '2026-03-01T10:00:00.000Z' });

      const ending = { at: '2026-03-04T00:00:00.000Z', reason: 'cancelled' as const, cleanupPending: true, audit: { client: 'caldav', at: '2026-03-04T00:00:00.000Z' } };
      const twice = await Promise.all([store.endRoom(room.code, ending), store.endRoom(room.code, { ...ending, audit: { client: 'caldav', at: '2026-03-04T00:00:01.000Z' } })]);
      expect(twice.filter(Boolean)).toHaveLength(1);
      expect(await store.endRoom('nop-nope-nop', ending)).toBe(false);
      const ended = await store.getRoom(room.code);
      expect(ended).toMatchObject({ releasedAt: ending.at, releaseReason: 'cancelled', cleanupPending: true });
      expect((await store.listAudit({ owner, limit: 10 })).filter((e) => e.action === 'room.end')).toHaveLength(1);
      // An ended room keeps its schedule; its event may get a new room, its key a new request.
      expect((await store.setSchedule(room.code, owner, schedule, null, ending.at))?.schedule).toEqual(moved);
      expect(await store.findRoomByEvent(owner, 'evt-life')).toBeNull();
      await store.insertRoom(sampleRoom({ owner, eventUid: 'evt-life' }));
      expect(await store.claimKey(owner, 'event:evt-life', 'fp', 60_000)).toEqual({ state: 'claimed' });

      const codes = async (state: 'open' | 'ended' | 'all' | undefined) => (await store.listRooms({ owner, limit: 10, state })).map((r) => r.code);
      expect(await codes(undefined)).not.toContain(room.code);
      expect(await codes('ended')).toEqual([room.code]);
      expect(await codes('all')).toContain(room.code);
      expect((await store.listPendingCleanups(10)).map((r) => r.code)).toEqual([room.code]);
      await store.settleCleanup(room.code);
      expect(await store.listPendingCleanups(10)).toEqual([]);
      expect((await store.getRoom(room.code))?.cleanupPending).toBeUndefined();
    });

    it('lists the open rooms due to end: meetings long over, unsaved drafts, old instant rooms', async () => {
      const store = await open();
      const owner = 'due@example.gouv.fr';
      const at = (d: string) => `2026-03-${d}T10:00:00.000Z`;
      const over = sampleRoom({ owner, eventUid: 'e1', schedule: { start: '2026-03-01T10:00:00Z', end: '2026-03-01T11:00:00Z', timeZone: 'UTC' }, scheduleEndsAt: at('01'), attachedAt: at('01') });
      const future = sampleRoom({ owner, eventUid: 'e2', schedule: { start: '2026-03-30T10:00:00Z', end: '2026-03-30T11:00:00Z', timeZone: 'UTC' }, scheduleEndsAt: at('30'), attachedAt: at('01') });
      const endless = sampleRoom({
        owner,
        eventUid: 'e3',
        schedule: { start: '2026-01-01T10:00:00Z', end: '2026-01-01T11:00:00Z', timeZone: 'UTC', recurrenceEnd: null },
        attachedAt: at('01'),
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      const draft = sampleRoom({ owner, eventUid: 'e4', createdAt: at('02') });
      const freshDraft = sampleRoom({ owner, eventUid: 'e5', createdAt: at('09') });
      const attachedNoSchedule = sampleRoom({ owner, eventUid: 'e6', createdAt: at('02'), attachedAt: at('02') });
      const instant = sampleRoom({ owner, createdAt: at('01') });
      const freshInstant = sampleRoom({ owner, createdAt: at('08') });
      const endedAlready = sampleRoom({ owner, eventUid: 'e7', createdAt: at('01') });
      for (const r of [over, future, endless, draft, freshDraft, attachedNoSchedule, instant, freshInstant, endedAlready]) await store.insertRoom(r);
      await store.endRoom(endedAlready.code, { at: at('03'), reason: 'deleted', cleanupPending: false, audit: { client: 'web', at: at('03') } });

      const due = await store.listRoomsToEnd({ scheduleEndedBefore: at('05'), draftCreatedBefore: at('05'), instantCreatedBefore: at('05'), limit: 10 });
      expect(due.map((d) => [d.room.code, d.reason]).sort()).toEqual(
        [
          [over.code, 'retention'],
          [draft.code, 'draft-expired'],
          [instant.code, 'retention'],
        ].sort(),
      );
      expect(await store.listRoomsToEnd({ scheduleEndedBefore: at('05'), draftCreatedBefore: at('05'), instantCreatedBefore: at('05'), limit: 2 })).toHaveLength(2);
      // Attaching takes a draft out.
      await store.attachRoom(draft.code, at('04'));
      const after = await store.listRoomsToEnd({ scheduleEndedBefore: at('05'), draftCreatedBefore: at('05'), instantCreatedBefore: at('05'), limit: 10 });
      expect(after.map((d) => d.room.code).sort()).toEqual([over.code, instant.code].sort());
    });

    it('runs a job exclusively: a second run while the first holds the job is skipped', async () => {
      const store = await open();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = store.runExclusive('job-x', () => held);
      await sleep(50);
      expect(await store.runExclusive('job-x', async () => {})).toBe(false);
      expect(await store.runExclusive('job-y', async () => {})).toBe(true);
      release();
      expect(await first).toBe(true);
      expect(await store.runExclusive('job-x', async () => {})).toBe(true);
    });

    it('answers ping while open', async () => {
      const store = await open();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
