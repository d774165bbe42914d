import { RoomPageSchema, RoomSchema } from '@visio/shared/contract';
import { describe, expect, it } from 'vitest';
import { startTestGateway, tempDir } from './harness.ts';

describe('rooms API on the embedded default', () => {
  it('creates a room: 201, a valid room and a Location header', async () => {
    const gw = await startTestGateway();
    const { status, body, headers } = await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Point hebdo' } });
    expect(status).toBe(201);
    const room = RoomSchema.parse(body);
    expect(room.url).toBe(`https://visio.numerique.gouv.fr/${room.code}`);
    expect(room).toMatchObject({ provider: 'standalone', accessLevel: 'trusted', title: 'Point hebdo' });
    expect(headers.get('location')).toBe(`/v1/rooms/${room.code}`);
  });

  it('creates a room from an empty POST (one click, no body)', async () => {
    const gw = await startTestGateway({ VISIO_INSTANCE_URL: 'https://visio.example.gouv.fr/', VISIO_DEFAULT_ACCESS_LEVEL: 'restricted' });
    const { status, body } = await gw.json('/v1/rooms', { method: 'POST' });
    expect(status).toBe(201);
    expect(body.url).toBe(`https://visio.example.gouv.fr/${body.code}`);
    expect(body.accessLevel).toBe('restricted');
  });

  it('reads, lists with pagination and deletes rooms', async () => {
    const gw = await startTestGateway();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await gw.json('/v1/rooms', { method: 'POST', body: { title: `R${i}` } })).body.code);

    const one = await gw.json(`/v1/rooms/${codes[2]}`);
    expect(one.status).toBe(200);
    expect(one.body.title).toBe('R2');
    // The forms the web app accepts name the same room.
    expect((await gw.json(`/v1/rooms/${codes[2]!.replaceAll('-', '').toUpperCase()}`)).body.code).toBe(codes[2]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await gw.json(`/v1/rooms?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const page = RoomPageSchema.parse(body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.code));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(new Set(codes));

    const del = await gw.json(`/v1/rooms/${codes[0]}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ code: codes[0], deleted: true, providerDeleted: false });
    // Ended, not erased: its link says so, and a repeat changes nothing.
    expect((await gw.json(`/v1/rooms/${codes[0]}`)).body).toMatchObject({ code: codes[0], state: 'ended', releaseReason: 'deleted' });
    expect((await gw.json(`/v1/rooms/${codes[0]}`, { method: 'DELETE' })).body).toMatchObject({ code: codes[0], deleted: true });
    expect((await gw.json('/v1/rooms?limit=100')).body.items).toHaveLength(4);
    const listed = RoomPageSchema.parse((await gw.json('/v1/rooms?limit=100&state=all')).body).items;
    expect(listed.filter((r) => r.state === 'open')).toHaveLength(4);
    expect(listed.filter((r) => r.state === 'ended').map((r) => r.code)).toEqual([codes[0]]);
  });

  it('returns the same room for a repeated Idempotency-Key, also under 50 concurrent repeats', async () => {
    const gw = await startTestGateway();
    const send = () => gw.json('/v1/rooms', { method: 'POST', headers: { 'idempotency-key': 'req-42' }, body: { title: 'Comité' } });
    const answers = await Promise.all(Array.from({ length: 50 }, send));
    const codes = new Set(answers.map((a) => a.body.code));
    expect(codes.size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body.code).toBe([...codes][0]);
    expect((await gw.json('/v1/rooms?limit=100')).body.items).toHaveLength(1);
  });

  it('refuses an Idempotency-Key reused with another body (422) and writes nothing', async () => {
    const gw = await startTestGateway();
    const first = await gw.json('/v1/rooms', { method: 'POST', headers: { 'idempotency-key': 'k1' }, body: { title: 'A' } });
    const second = await gw.json('/v1/rooms', { method: 'POST', headers: { 'idempotency-key': 'k1' }, body: { title: 'B' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(422);
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect((await gw.json('/v1/rooms')).body.items).toHaveLength(1);
  });

  it('gives one room per event UID, also under 50 concurrent repeats', async () => {
    const gw = await startTestGateway();
    const send = () => gw.json('/v1/rooms', { method: 'POST', body: { eventUid: '040000008200E00074C5B7101A82E008@outlook' } });
    const answers = await Promise.all(Array.from({ length: 50 }, send));
    expect(new Set(answers.map((a) => a.body.code)).size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    // A second event gets its own room.
    const other = await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: 'other-event' } });
    expect(other.status).toBe(201);
    expect(other.body.code).not.toBe(answers[0]!.body.code);
  });

  it('creates a new room for a key whose room was deleted', async () => {
    const gw = await startTestGateway();
    const headers = { 'idempotency-key': 'again' };
    const first = await gw.json('/v1/rooms', { method: 'POST', headers, body: {} });
    await gw.json(`/v1/rooms/${first.body.code}`, { method: 'DELETE' });
    const second = await gw.json('/v1/rooms', { method: 'POST', headers, body: {} });
    expect(second.status).toBe(201);
    expect(second.body.code).not.toBe(first.body.code);
  });

  it("keeps agents apart: another user's room is 404 to read, list or delete", async () => {
    const dataDir = tempDir();
    const alice = await startTestGateway({ VISIO_DATA_DIR: dataDir, VISIO_LOCAL_USER_EMAIL: 'alice@interieur.gouv.fr' });
    const bob = await startTestGateway({ VISIO_DATA_DIR: dataDir, VISIO_LOCAL_USER_EMAIL: 'bob@culture.gouv.fr' });
    const { body: room } = await alice.json('/v1/rooms', { method: 'POST', body: { title: 'Privé' } });

    const read = await bob.json(`/v1/rooms/${room.code}`);
    expect(read.status).toBe(404);
    expect(read.body.title).toBe('Not found');
    expect((await bob.json(`/v1/rooms/${room.code}/invitation`)).status).toBe(404);
    expect((await bob.json(`/v1/rooms/${room.code}`, { method: 'DELETE' })).status).toBe(404);
    expect((await bob.json('/v1/rooms')).body.items).toHaveLength(0);
    // Still Alice's.
    expect((await alice.json(`/v1/rooms/${room.code}`)).status).toBe(200);
  });

  it('serves the invitation of a room in French and English', async () => {
    const gw = await startTestGateway();
    const { body: room } = await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Revue <budget> & "plan"' } });
    const fr = await gw.json(`/v1/rooms/${room.code}/invitation`);
    const en = await gw.json(`/v1/rooms/${room.code}/invitation?lang=en`);
    expect(fr.status).toBe(200);
    expect(en.status).toBe(200);
    expect(fr.body.text).toContain(room.url);
    expect(fr.body.html).toContain(room.url);
    expect(fr.body.html).not.toContain('<budget>');
    expect(fr.body.html).toContain('&lt;budget&gt;');
    expect(fr.body.subject).toContain('Revue <budget>');
    expect(fr.body.text).not.toBe(en.body.text);
    expect((await gw.json(`/v1/rooms/${room.code}/invitation?lang=de`)).status).toBe(400);
  });
});
