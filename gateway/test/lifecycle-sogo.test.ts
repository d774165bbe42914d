/**
 * The room follows the meeting on SOGo (its own scheduling, its own rewriting of objects): create and save,
 * move a series, delete it; each journey ends with the store checked for orphans, then the retention job.
 */
import { randomUUID } from 'node:crypto';
import { startSogo, type SogoServer } from '@visio/testing/sogo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davGet, davPut, eventIcs } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';
import { orphans as openOrphans, retentionAfter } from './lifecycle-helpers.ts';

let sogo: SogoServer;
let gw: TestGateway;
let calendar: string;
const hrefs = new Set<string>();
const live: string[] = [];

beforeAll(async () => {
  sogo = await startSogo({ alice: { password: `alice-${randomUUID()}`, name: 'Alice Martin', email: 'alice@example.test' } });
  calendar = sogo.calendarUrl('alice');
  gw = await startTestGateway({ CALDAV_SERVERS: sogo.url });
}, 60_000);
afterAll(async () => {
  await sogo?.stop();
});

const auth = () => sogo.basic('alice');
const call = (method: string, path: string, body: unknown) => gw.json(path, { method, headers: { 'x-caldav-authorization': auth() }, body });
const orphans = () => openOrphans(gw, hrefs, auth());
const room = async (code: string) => (await gw.json(`/v1/rooms/${code}`)).body;

describe('the room follows the meeting (gateway CalDAV routes, SOGo)', () => {
  it("create and save: attached with the series' schedule", async () => {
    const { status, body } = await call('POST', '/v1/calendars/events', {
      calendar,
      title: 'Hebdo',
      start: '2026-12-14T10:00:00',
      end: '2026-12-14T11:00:00',
      timeZone: 'Europe/Paris',
      rrule: 'FREQ=WEEKLY;UNTIL=20270301T090000Z',
    });
    expect(status).toBe(201);
    hrefs.add(body.href);
    live.push(body.room.code);
    expect(await room(body.room.code)).toMatchObject({ state: 'open', schedule: { start: '2026-12-14T09:00:00Z', timeZone: 'Europe/Paris', recurrenceEnd: '2027-03-01T09:00:00Z' } });
    expect(await orphans()).toEqual([]);
  });

  it('move a series, then delete it: the schedule follows, then the room is ended', async () => {
    const uid = randomUUID();
    const href = `${calendar}${uid}.ics`;
    expect([201, 204]).toContain(await davPut(href, auth(), eventIcs(uid, { start: new Date('2026-12-07T09:00:00Z'), rrule: 'FREQ=WEEKLY;COUNT=4' })));
    hrefs.add(href);
    const added = (await call('POST', '/v1/calendars/events/visio', { calendar, href })).body;
    expect((await room(added.room.code)).schedule).toMatchObject({ start: '2026-12-07T09:00:00Z', recurrenceEnd: '2026-12-28T09:00:00Z' });

    const stored = await davGet(href, auth());
    const moved = stored.data.replace(/DTSTART:20261207T090000Z/, 'DTSTART:20261209T090000Z').replace(/DTEND:20261207T100000Z/, 'DTEND:20261209T100000Z');
    expect(moved).not.toBe(stored.data);
    expect([201, 204]).toContain(await davPut(href, auth(), moved, stored.etag ?? undefined));
    expect((await call('POST', '/v1/calendars/events/visio', { calendar, href })).body).toMatchObject({ changed: false, room: { code: added.room.code } });
    expect((await room(added.room.code)).schedule).toMatchObject({ start: '2026-12-09T09:00:00Z', recurrenceEnd: '2026-12-30T09:00:00Z' });
    expect(await orphans()).toEqual([]);

    expect((await call('DELETE', '/v1/calendars/events/visio', { calendar, href })).body).toMatchObject({ roomReleased: true });
    expect(await room(added.room.code)).toMatchObject({ state: 'ended', releaseReason: 'cancelled' });
    expect(await orphans()).toEqual([]);
  });

  it("after the retention job: zero orphans, the live event's room still open", async () => {
    await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: randomUUID() } });
    expect(await orphans()).toHaveLength(1);
    expect(await retentionAfter(gw, 3)).toMatchObject({ ran: true, ended: 1 });
    expect(await orphans()).toEqual([]);
    for (const code of live) expect((await room(code)).state).toBe('open');
  });
});
