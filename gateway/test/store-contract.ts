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

    it('pages an owner\'s rooms newest first, ties broken by code, without gaps or repeats', async () => {
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

    it('completes the key in the same write as the room, and leaves it claimed when the insert fails', async () => {
      const store = await open();
      const owner = 'atomic@example.gouv.fr';
      await store.claimKey(owner, 'key:x', 'fp', 60_000);
      const room = sampleRoom({ owner, eventUid: 'evt-x' });
      await store.insertRoom(room, { owner, key: 'key:x' });
      expect(await store.claimKey(owner, 'key:x', 'fp', 60_000)).toEqual({ state: 'done', roomCode: room.code });

      await store.claimKey(owner, 'key:y', 'fp', 60_000);
      await expect(store.insertRoom(sampleRoom({ owner, eventUid: 'evt-x' }), { owner, key: 'key:y' })).rejects.toBeInstanceOf(DuplicateRoomError);
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
      await store.insertRoom(room, { owner, key: 'key:r' });
      await store.releaseKey(owner, 'key:r');
      expect(await store.claimKey(owner, 'key:r', 'other-fp', 60_000)).toEqual({ state: 'done', roomCode: room.code });
    });

    it('takes over a stale claim (its holder died) with the same body only, once among concurrent callers', async () => {
      const store = await open();
      const owner = 'stale@example.gouv.fr';
      await store.claimKey(owner, 'key:s', 'fp', 60_000);
      await sleep(600);
      expect(await store.claimKey(owner, 'key:s', 'fp', 60_000)).toEqual({ state: 'pending' });
      expect(await store.claimKey(owner, 'key:s', 'fp-other', 300)).toEqual({ state: 'mismatch' });
      // 300 ms: old enough for the first claim, far longer than the 20 calls take, so the winner's is fresh.
      const takeovers = await Promise.all(Array.from({ length: 20 }, () => store.claimKey(owner, 'key:s', 'fp', 300)));
      expect(takeovers.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(takeovers.filter((c) => c.state === 'pending')).toHaveLength(19);
      // The fresh claim is not stale any more for a long threshold.
      expect(await store.claimKey(owner, 'key:s', 'fp', 60_000)).toEqual({ state: 'pending' });
      // A completed key is never taken over, however old.
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { owner, key: 'key:s' });
      await sleep(10);
      expect(await store.claimKey(owner, 'key:s', 'fp', 1)).toEqual({ state: 'done', roomCode: room.code });
    });

    it('gives exactly one of 50 concurrent claims of a new key', async () => {
      const store = await open();
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claimKey('race@example.gouv.fr', 'key:race', 'fp', 60_000)));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.state === 'pending')).toHaveLength(49);
    });

    it('deletes a room of its owner with the keys that led to it; another owner deletes nothing', async () => {
      const store = await open();
      const owner = 'del@example.gouv.fr';
      await store.claimKey(owner, 'key:d', 'fp', 60_000);
      const room = sampleRoom({ owner });
      await store.insertRoom(room, { owner, key: 'key:d' });
      expect(await store.deleteRoom(room.code, 'intruder@example.gouv.fr')).toBe(false);
      expect(await store.getRoom(room.code)).toEqual(room);
      expect(await store.deleteRoom(room.code, owner)).toBe(true);
      expect(await store.getRoom(room.code)).toBeNull();
      expect(await store.deleteRoom(room.code, owner)).toBe(false);
      // The key is free again: a new request with it makes a new room.
      expect(await store.claimKey(owner, 'key:d', 'fp', 60_000)).toEqual({ state: 'claimed' });
    });

    it('answers ping while open', async () => {
      const store = await open();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
