/**
 * The room follows the meeting, Outlook on the Office double against the built gateway process: an
 * appointment given Visio, then moved; a series given Visio, then its end changed; an appointment given
 * Visio, then Visio removed (Outlook's Remove command). The journey ends with the gateway's retention job run
 * as if three days had passed (beyond ROOM_DRAFT_TTL): no open room is left that no live appointment
 * carries, and no live appointment's room was ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVisioClient, type VisioClient } from '@visio/shared/client';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { retentionAfterDays, type StoredRoomState } from '@visio/testing/gateway-retention';
import { addMeeting, onAppointmentChanged, removeMeeting, resetConfigCache, ROOM_PROPERTY, type CommandDeps } from '../src/commands/commands.ts';
import { officeItem } from '../src/office/item.ts';
import { readSettings } from '../src/settings.ts';
import { installOfficeDouble, type OfficeDouble, type Scenario } from './office-double.ts';
import { LOCATION_PLACES, OWA_HTML } from './fixtures.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'visio-outlook-lifecycle-'));
const env = { VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
let gateway: GatewayProcess;
let client: VisioClient;

beforeAll(async () => {
  gateway = await startGatewayProcess(env);
  client = createVisioClient({ baseUrl: gateway.url, clientName: 'outlook' });
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => resetConfigCache());

/** An appointment being composed in Outlook on the web (the double keeps its state for the journey). */
function appointment(extra: Partial<Scenario>): { double: OfficeDouble; deps: CommandDeps } {
  const target: Record<string, unknown> = {};
  const double = installOfficeDouble({ itemType: 'appointment', mode: 'compose', bodyType: 'html', body: OWA_HTML, location: LOCATION_PLACES, subject: 'Comité', ...extra }, target);
  const office = target.Office as typeof Office;
  const deps: CommandDeps = { item: officeItem(office.context.mailbox), client, settings: readSettings(office.context.roamingSettings), lang: 'fr', open: async () => undefined };
  return { double, deps };
}

const room = async (code: string): Promise<StoredRoomState> => (await fetch(`${gateway.url}/v1/rooms/${code}`)).json() as Promise<StoredRoomState>;
const roomOf = (double: OfficeDouble) => (double.state.customProperties[ROOM_PROPERTY] as { code: string }).code;

describe('the room follows the meeting in Outlook (Office double)', () => {
  /** Appointments still in the calendar at the end, and the room each carries. */
  const live: string[] = [];
  const rooms: Record<string, string> = {};

  it('an appointment given Visio, then moved: one room, its schedule follows', async () => {
    const { double, deps } = appointment({ start: '2026-12-15T09:00:00.000Z', end: '2026-12-15T10:00:00.000Z' });
    expect(await addMeeting(deps)).toMatchObject({ ok: true });
    const code = roomOf(double);
    expect((await room(code)).schedule).toMatchObject({ start: '2026-12-15T09:00:00.000Z', end: '2026-12-15T10:00:00.000Z' });
    double.state.start = '2026-12-17T14:00:00.000Z';
    double.state.end = '2026-12-17T15:00:00.000Z';
    await onAppointmentChanged(deps);
    expect(await room(code)).toMatchObject({ state: 'open', schedule: { start: '2026-12-17T14:00:00.000Z', end: '2026-12-17T15:00:00.000Z' } });
    expect(roomOf(double)).toBe(code);
    live.push(code);
  });

  it('a series given Visio, then its end moved, then made endless: the recurrence end follows', async () => {
    const { double, deps } = appointment({ start: '2026-12-14T08:00:00.000Z', end: '2026-12-14T09:00:00.000Z', seriesEnd: '2027-01-31' });
    expect(await addMeeting(deps)).toMatchObject({ ok: true });
    const code = roomOf(double);
    expect((await room(code)).schedule?.recurrenceEnd).toBe('2027-01-31T23:59:59');
    double.state.seriesEnd = '2027-06-30';
    await onAppointmentChanged(deps);
    expect((await room(code)).schedule?.recurrenceEnd).toBe('2027-06-30T23:59:59');
    double.state.seriesEnd = null;
    await onAppointmentChanged(deps);
    expect((await room(code)).schedule?.recurrenceEnd).toBeNull();
    live.push(code);
  });

  it('Visio removed from an appointment (Remove command): its room is ended', async () => {
    const { double, deps } = appointment({ start: '2026-12-16T09:00:00.000Z' });
    expect(await addMeeting(deps)).toMatchObject({ ok: true });
    rooms.removed = roomOf(double);
    expect(await removeMeeting(deps)).toMatchObject({ ok: true });
    expect(await room(rooms.removed)).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
  });

  it('after the retention job three days on: zero orphans, every live appointment’s room still open', async () => {
    await gateway.stop();
    const after = await retentionAfterDays(env, 3);
    expect(after.filter((r) => r.state === 'open' && !live.includes(r.code)).map((r) => r.code)).toEqual([]);
    const byCode = new Map(after.map((r) => [r.code, r]));
    for (const code of live) expect(byCode.get(code)).toMatchObject({ state: 'open' });
    expect(byCode.get(rooms.removed!)).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect(after).toHaveLength(3);
  });
});

/**
 * "Create and cancel the editor": Visio added in a new appointment whose compose window is then closed
 * without saving. Office.js gives no event for an appointment saved without attendees (OnAppointmentSend
 * fires on Send only), so the add-in cannot keep the room a draft until the save: it sends the schedule on
 * add, and the abandoned room is ended by the retention job once its meeting is ROOM_RETENTION_DAYS over,
 * never earlier (a saved appointment's room is never taken for an abandoned draft).
 */
describe('a compose window closed unsaved after Add (Office double)', () => {
  const abandonedDir = mkdtempSync(join(tmpdir(), 'visio-outlook-abandoned-'));
  const abandonedEnv = { VISIO_DATA_DIR: abandonedDir, LOG_LEVEL: 'warn' };
  let abandonedGateway: GatewayProcess;
  let code = '';
  // A week ahead of this run, on the hour.
  const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 7 * 86_400_000).toISOString();
  const end = new Date(Date.parse(start) + 3_600_000).toISOString();
  beforeAll(async () => {
    abandonedGateway = await startGatewayProcess(abandonedEnv);
  });
  afterAll(async () => {
    await abandonedGateway?.stop();
    rmSync(abandonedDir, { recursive: true, force: true });
  });

  it('the room carries the appointment’s time from the add; nothing is written when the window closes', async () => {
    const target: Record<string, unknown> = {};
    const double = installOfficeDouble({ itemType: 'appointment', mode: 'compose', bodyType: 'html', body: OWA_HTML, location: LOCATION_PLACES, subject: 'Brouillon', start, end }, target);
    const office = target.Office as typeof Office;
    const deps: CommandDeps = {
      item: officeItem(office.context.mailbox),
      client: createVisioClient({ baseUrl: abandonedGateway.url, clientName: 'outlook' }),
      settings: readSettings(office.context.roamingSettings),
      lang: 'fr',
      open: async () => undefined,
    };
    expect(await addMeeting(deps)).toMatchObject({ ok: true });
    code = roomOf(double);
    const stored = (await (await fetch(`${abandonedGateway.url}/v1/rooms/${code}`)).json()) as StoredRoomState;
    expect(stored).toMatchObject({ state: 'open', schedule: { start, end } });
    // The window closes unsaved: Outlook tells no add-in, the double keeps nothing.
    await abandonedGateway.stop();
  });

  it('past ROOM_DRAFT_TTL it is still open (a saved appointment would look the same); ROOM_RETENTION_DAYS after its meeting it is ended, zero orphans', async () => {
    // Two days past the draft TTL (48 h): not ended as a draft.
    expect((await retentionAfterDays(abandonedEnv, 4)).find((r) => r.code === code)).toMatchObject({ state: 'open' });
    // A day past the meeting's end plus ROOM_RETENTION_DAYS (30): ended, nothing left open.
    const after = await retentionAfterDays(abandonedEnv, 8 + 30 + 1);
    expect(after.find((r) => r.code === code)).toMatchObject({ state: 'ended', releaseReason: 'retention' });
    expect(after.filter((r) => r.state === 'open')).toEqual([]);
  });
});
