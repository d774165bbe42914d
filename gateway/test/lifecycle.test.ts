/** The room follows its meeting: schedule, end (release), retention job, join of an ended room. */
import { createVisioClient } from '@visio/shared/client';
import { RoomSchema } from '@visio/shared/contract';
import { roomEndedText } from '@visio/shared/room-state';
import { startLiveKitDouble, type LiveKitDouble } from '@visio/testing/livekit-double';
import { startPostgres, type PostgresCluster } from '@visio/testing/postgres';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadSettings } from '../src/config.ts';
import { startTestGateway, tempDir, type TestGateway } from './harness.ts';
import { retentionAfter } from './lifecycle-helpers.ts';

const DAY = 86_400_000;
const doubles: LiveKitDouble[] = [];
let cluster: PostgresCluster | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await cluster?.destroy();
});

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
// One reference time, so that a schedule written twice is the same schedule.
const NOW = Date.now();
/** A one-hour meeting `days` from now, in Paris time written as UTC wall time (fine for these checks). */
const meeting = (days: number, extra: Record<string, unknown> = {}) => ({
  start: iso(NOW + days * DAY),
  end: iso(NOW + days * DAY + 3_600_000),
  timeZone: 'Europe/Paris',
  ...extra,
});

describe('room schedule API', () => {
  it('takes the schedule on create and on PUT (idempotent, owner only), and refuses bad input with problem+json', async () => {
    const dataDir = tempDir();
    const gw = await startTestGateway({ VISIO_DATA_DIR: dataDir, VISIO_LOCAL_USER_EMAIL: 'alice@interieur.gouv.fr' });
    const created = await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Comité', eventUid: 'evt-1', schedule: meeting(2) } });
    expect(created.status).toBe(201);
    expect(RoomSchema.parse(created.body)).toMatchObject({ state: 'open', schedule: meeting(2) });

    const moved = meeting(3, { recurrenceEnd: null });
    const first = await gw.json(`/v1/rooms/${created.body.code}/schedule`, { method: 'PUT', body: moved });
    const again = await gw.json(`/v1/rooms/${created.body.code}/schedule`, { method: 'PUT', body: moved });
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.body.schedule).toEqual(moved);

    for (const bad of [{ ...moved, end: moved.start }, { ...moved, timeZone: 'Mars/Olympus' }, { start: moved.start }, { ...moved, colour: 'red' }]) {
      const refused = await gw.json(`/v1/rooms/${created.body.code}/schedule`, { method: 'PUT', body: bad });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await gw.json(`/v1/rooms/${created.body.code}/schedule`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"start":' })).status).toBe(400);
    expect((await gw.json(`/v1/rooms/${created.body.code}`)).body.schedule).toEqual(moved);

    // The same event added again with its new time: same room, schedule followed.
    const readded = await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: 'evt-1', schedule: meeting(4) } });
    expect(readded.status).toBe(200);
    expect(readded.body).toMatchObject({ code: created.body.code, schedule: meeting(4) });

    const bob = await startTestGateway({ VISIO_DATA_DIR: dataDir, VISIO_LOCAL_USER_EMAIL: 'bob@culture.gouv.fr' });
    expect((await bob.json(`/v1/rooms/${created.body.code}/schedule`, { method: 'PUT', body: moved })).status).toBe(404);

    const listed = (await gw.json('/v1/rooms')).body.items;
    expect(listed).toEqual([expect.objectContaining({ code: created.body.code, state: 'open', schedule: meeting(4) })]);

    expect((await gw.json(`/v1/rooms/${created.body.code}`, { method: 'DELETE' })).status).toBe(200);
    const late = await gw.json(`/v1/rooms/${created.body.code}/schedule`, { method: 'PUT', body: moved });
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('urn:visio:problem:room-ended');
    expect((await gw.json('/v1/rooms?state=ended')).body.items[0]).toMatchObject({ state: 'ended', releaseReason: 'deleted', releasedAt: expect.any(String) });
    // The event gets a new room when Visio is added to it again.
    const fresh = await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: 'evt-1' } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.code).not.toBe(created.body.code);
  });
});

describe('the shared client', () => {
  it("sets the schedule, reads a room's state, and gives Join the sentence to say for an ended room", async () => {
    const gw = await startTestGateway();
    const client = createVisioClient({ baseUrl: gw.url, clientName: 'test' });
    const room = await client.createRoom({ eventUid: 'evt-client' });
    expect((await client.setRoomSchedule(room.code, meeting(1))).schedule).toEqual(meeting(1));
    expect(await client.getRoomState(room.code)).toEqual({ code: room.code, state: 'open' });
    await client.deleteRoom(room.code);
    const state = await client.getRoomState(room.code);
    expect(state).toMatchObject({ state: 'ended', releasedAt: expect.any(String) });
    expect((await client.listRooms({ state: 'ended' })).items.map((r) => r.code)).toEqual([room.code]);
    expect(roomEndedText('fr', state.releasedAt!, state.timeZone).heading).toBe('Cette réunion est terminée');
    expect(roomEndedText('en', '2026-12-01T09:00:00Z', 'Europe/Paris').detail).toContain('1 December 2026 at 10:00');
    await expect(client.setRoomSchedule(room.code, meeting(2))).rejects.toMatchObject({ status: 409 });
  });
});

describe('invitation files', () => {
  it('POST /v1/ics: the room of the new event is attached with its time, not left as a draft', async () => {
    const gw = await startTestGateway();
    const file = await gw.fetch('/v1/ics', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Séminaire', start: '2026-12-10T14:00:00', end: '2026-12-10T16:00:00', timeZone: 'Europe/Paris', rrule: 'FREQ=WEEKLY;COUNT=2' }),
    });
    expect(file.status).toBe(200);
    const code = /visio-([a-z-]+)\.ics/.exec(file.headers.get('content-disposition') ?? '')![1]!;
    expect((await gw.json(`/v1/rooms/${code}`)).body.schedule).toEqual({
      start: '2026-12-10T13:00:00Z',
      end: '2026-12-10T15:00:00Z',
      timeZone: 'Europe/Paris',
      recurrenceEnd: '2026-12-17T13:00:00Z',
    });
    expect(await retentionAfter(gw, 3)).toMatchObject({ ended: 0 });
  });
});

describe('retention job', () => {
  it('ends meetings long over, unsaved drafts after ROOM_DRAFT_TTL and old instant rooms; keeps live and endless ones', async () => {
    const gw = await startTestGateway({ ROOM_RETENTION_DAYS: '30', ROOM_DRAFT_TTL: '86400' });
    const make = async (body: Record<string, unknown>) => (await gw.json('/v1/rooms', { method: 'POST', body })).body.code as string;
    const longOver = await make({ eventUid: 'past', schedule: meeting(-40) });
    const recent = await make({ eventUid: 'recent', schedule: meeting(-10) });
    const series = await make({ eventUid: 'series', schedule: meeting(-60, { recurrenceEnd: iso(NOW + 20 * DAY) }) });
    const endless = await make({ eventUid: 'endless', schedule: meeting(-60, { recurrenceEnd: null }) });
    const draft = await make({ eventUid: 'draft' });
    const savedLate = await make({ eventUid: 'saved-late' });
    const instant = await make({ title: 'Point rapide' });
    await gw.json(`/v1/rooms/${savedLate}/schedule`, { method: 'PUT', body: meeting(5) });

    const state = async () =>
      Object.fromEntries(((await gw.json('/v1/rooms?limit=100&state=all')).body.items as { code: string; state: string; releaseReason?: string }[]).map((r) => [r.code, r.releaseReason ?? r.state]));
    expect(await gw.runRetention()).toMatchObject({ ran: true, ended: 1 });
    expect(await state()).toMatchObject({ [longOver]: 'retention', [recent]: 'open', [draft]: 'open', [instant]: 'open' });

    expect(await retentionAfter(gw, 2)).toMatchObject({ ended: 1 });
    expect(await state()).toMatchObject({ [draft]: 'draft-expired', [savedLate]: 'open', [instant]: 'open', [recent]: 'open' });

    expect(await retentionAfter(gw, 36)).toMatchObject({ ended: 3 });
    expect(await state()).toMatchObject({ [recent]: 'retention', [instant]: 'retention', [savedLate]: 'retention', [series]: 'open', [endless]: 'open' });
    expect(await retentionAfter(gw, 60)).toMatchObject({ ended: 1 });
    expect(await state()).toMatchObject({ [series]: 'retention', [endless]: 'open' });

    const trail = (await gw.json('/v1/audit?limit=100')).body.items as { action: string; room: string; client: string }[];
    const ends = trail.filter((e) => e.action === 'room.end');
    expect(ends.map((e) => e.room).sort()).toEqual([longOver, recent, series, draft, savedLate, instant].sort());
    expect(new Set(ends.map((e) => e.client))).toEqual(new Set(['retention']));
  });

  it('two gateway instances on PostgreSQL run it at the same time: each room ended once, one audit entry each', async () => {
    cluster ??= await startPostgres();
    const url = await cluster.createDatabase();
    const env = { DATABASE_URL: url, DATABASE_POOL_SIZE: '4', LOG_LEVEL: 'warn' };
    const [a, b] = await Promise.all([startTestGateway(env), startTestGateway(env)]);
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) codes.push((await (i % 2 ? a : b).json('/v1/rooms', { method: 'POST', body: { eventUid: `old-${i}`, schedule: meeting(-45) } })).body.code);
    const live = (await a.json('/v1/rooms', { method: 'POST', body: { eventUid: 'live', schedule: meeting(1) } })).body.code;

    const runs = await Promise.all([a.runRetention(), b.runRetention(), a.runRetention(), b.runRetention()]);
    // Each instance's run at start-up may have taken some already: the store is the judge.
    expect(runs.reduce((n, r) => n + r.ended, 0)).toBeLessThanOrEqual(30);
    expect(runs.some((r) => r.ran)).toBe(true);
    const db = new URL(url).pathname.slice(1);
    const ended = await cluster.query<{ code: string }>('SELECT code FROM rooms WHERE released_at IS NOT NULL ORDER BY code', [], db);
    expect(ended.map((r) => r.code)).toEqual([...codes].sort());
    const audit = await cluster.query<{ room_code: string; n: string }>("SELECT room_code, count(*) AS n FROM audit WHERE action = 'room.end' GROUP BY room_code", [], db);
    expect(audit).toHaveLength(30);
    expect(audit.every((r) => Number(r.n) === 1)).toBe(true);
    expect((await b.json(`/v1/rooms/${live}`)).body.state).toBe('open');
  }, 120_000);
});

describe('releasing a room on LiveKit', () => {
  async function setup(): Promise<{ lk: LiveKitDouble; gw: TestGateway }> {
    const lk = await startLiveKitDouble();
    doubles.push(lk);
    const gw = await startTestGateway({
      VISIO_PROVIDER: 'livekit',
      VISIO_LOCAL_USER_EMAIL: 'alice.martin@example.gouv.fr',
      LIVEKIT_URL: lk.url.replace(/^http/, 'ws'),
      LIVEKIT_API_KEY: lk.apiKey,
      LIVEKIT_API_SECRET: lk.apiSecret,
      LIVEKIT_MEET_URL: 'https://meet.example.gouv.fr',
    });
    return { lk, gw };
  }

  it('LiveKit down: the room is ended at once, its deletion retried by the job, and its link says the meeting ended', async () => {
    const { lk, gw } = await setup();
    const room = (await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: 'evt-lk', schedule: meeting(1) } })).body;
    expect(lk.rooms().map((r) => r.name)).toEqual([room.code]);

    lk.failNext(503, 1);
    const released = await gw.json(`/v1/rooms/${room.code}`, { method: 'DELETE' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ deleted: true, providerDeleted: false, detail: expect.stringMatching(/retried/) });
    expect((await gw.json(`/v1/rooms/${room.code}`)).body).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect(lk.rooms()).toHaveLength(1);

    // The link no longer opens a meeting: it says so, in the agent's language, and makes no LiveKit room.
    const fr = await gw.fetch(`/j/${room.code}`, { redirect: 'manual', headers: { accept: 'text/html', 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(fr.status).toBe(410);
    expect(await fr.text()).toContain('Cette réunion est terminée');
    const en = await gw.fetch(`/j/${room.code}`, { redirect: 'manual', headers: { accept: 'text/html', 'accept-language': 'en-GB' } });
    expect(await en.text()).toMatch(/This meeting has ended[\s\S]*closed on/);
    const api = await gw.json(`/j/${room.code}`);
    expect(api.status).toBe(410);
    expect(api.body).toMatchObject({ type: 'urn:visio:problem:room-ended', endedAt: expect.any(String) });
    expect((await gw.json(`/v1/rooms/${room.code}/state`)).body).toMatchObject({ code: room.code, state: 'ended', timeZone: 'Europe/Paris' });
    expect(lk.rooms()).toHaveLength(1);

    expect(await gw.runRetention()).toMatchObject({ cleaned: 1 });
    expect(lk.rooms()).toEqual([]);
    expect(await gw.runRetention()).toMatchObject({ cleaned: 0 });
    expect(lk.refusals).toEqual([]);
  });

  it('an open room still joins; its state says open', async () => {
    const { gw } = await setup();
    const room = (await gw.json('/v1/rooms', { method: 'POST', body: {} })).body;
    expect((await gw.json(`/v1/rooms/${room.code}/state`)).body).toEqual({ code: room.code, state: 'open' });
    expect((await gw.fetch(`/j/${room.code}`, { redirect: 'manual' })).status).toBe(302);
  });
});

describe('lifecycle settings', () => {
  const base = { VISIO_DATA_DIR: '/tmp/unused' };
  it('defaults to 30 days of retention and two days for drafts', () => {
    expect(loadSettings(base).roomLifecycle).toEqual({ retentionDays: 30, draftTtlMs: 172_800_000 });
  });
  it('takes values within bounds and refuses the rest by name', () => {
    expect(loadSettings({ ...base, ROOM_RETENTION_DAYS: '1', ROOM_DRAFT_TTL: '3600' }).roomLifecycle).toEqual({ retentionDays: 1, draftTtlMs: 3_600_000 });
    expect(loadSettings({ ...base, ROOM_RETENTION_DAYS: '3650', ROOM_DRAFT_TTL: '2592000' }).roomLifecycle).toEqual({ retentionDays: 3650, draftTtlMs: 2_592_000_000 });
    for (const [name, value] of [
      ['ROOM_RETENTION_DAYS', '0'],
      ['ROOM_RETENTION_DAYS', '3651'],
      ['ROOM_RETENTION_DAYS', '1.5'],
      ['ROOM_RETENTION_DAYS', 'month'],
      ['ROOM_DRAFT_TTL', '3599'],
      ['ROOM_DRAFT_TTL', '2592001'],
    ] as const) {
      expect(() => loadSettings({ ...base, [name]: value })).toThrow(ConfigError);
      expect(() => loadSettings({ ...base, [name]: value })).toThrow(name);
    }
  });
});
