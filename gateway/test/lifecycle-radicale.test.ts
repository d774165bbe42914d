/**
 * Journeys of a room through the gateway's CalDAV routes on a real Radicale, each ending with the store
 * checked for orphans: open rooms that no live event carries. Then the retention job runs as if days had
 * passed: still zero orphans, and every live event's room still open.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davGet, davPut, eventIcs } from './caldav-helpers.ts';
import { startTestGateway, tempDir, type TestGateway } from './harness.ts';
import { orphans as openOrphans, retentionAfter } from './lifecycle-helpers.ts';

const PASSWORD = `app-${randomUUID()}`;
let radicale: RadicaleServer;
let refusingProxy: Server;
let gw: TestGateway;
let viaProxy: TestGateway;
let work: string;
let auth: string;
/** Every calendar object the journeys made, to find which rooms live events carry. */
const hrefs = new Set<string>();

beforeAll(async () => {
  radicale = await startRadicale({ alice: PASSWORD });
  work = await radicale.makeCalendar('alice', 'work');
  auth = radicale.basic('alice');
  // The same server behind a proxy that refuses every write (a full disk: 507), for the failed add.
  refusingProxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (req.method === 'PUT') return void res.writeHead(507).end();
      const upstream = await fetch(new URL(req.url ?? '/', radicale.url), {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length'].includes(k)) as [string, string][]),
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const hop = ['content-length', 'transfer-encoding', 'content-encoding', 'connection', 'keep-alive'];
      res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([k]) => !hop.includes(k))));
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => refusingProxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(refusingProxy.address() as AddressInfo).port}/`;
  const dataDir = tempDir();
  gw = await startTestGateway({ VISIO_DATA_DIR: dataDir, CALDAV_SERVERS: radicale.url, ROOM_DRAFT_TTL: '86400' });
  viaProxy = await startTestGateway({ VISIO_DATA_DIR: tempDir(), CALDAV_SERVERS: proxyUrl, ROOM_DRAFT_TTL: '86400' });
}, 30_000);
afterAll(async () => {
  refusingProxy?.close();
  await radicale?.stop();
});

const call = (g: TestGateway, method: string, path: string, body: unknown) => g.json(path, { method, headers: { 'x-caldav-authorization': auth }, body });

const orphans = (g: TestGateway) => openOrphans(g, hrefs, auth);
const afterDays = retentionAfter;

const room = async (code: string) => (await gw.json(`/v1/rooms/${code}`)).body;
const stamp = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
const live: string[] = [];

describe('the room follows the meeting (gateway CalDAV routes, Radicale)', () => {
  it("create and save: the room is attached with the event's schedule", async () => {
    const { body } = await call(gw, 'POST', '/v1/calendars/events', {
      calendar: work,
      title: 'Comité',
      start: '2026-12-15T10:00:00',
      end: '2026-12-15T11:00:00',
      timeZone: 'Europe/Paris',
      rrule: 'FREQ=WEEKLY;COUNT=3',
    });
    hrefs.add(body.href);
    live.push(body.room.code);
    expect(await room(body.room.code)).toMatchObject({
      state: 'open',
      schedule: { start: '2026-12-15T09:00:00Z', end: '2026-12-15T10:00:00Z', timeZone: 'Europe/Paris', recurrenceEnd: '2026-12-29T09:00:00Z' },
    });
    expect(await orphans(gw)).toEqual([]);
  });

  it('failed add: the server refuses the write, and the room made for it is ended, not left behind', async () => {
    const uid = randomUUID();
    const href = `${work}${uid}.ics`;
    expect(await davPut(href, auth, eventIcs(uid, { summary: 'Sans salle' }))).toBe(201);
    hrefs.add(href);
    const proxied = href.replace(radicale.url, `http://127.0.0.1:${(refusingProxy.address() as AddressInfo).port}/`);
    const refused = await call(viaProxy, 'POST', '/v1/calendars/events/visio', { calendar: proxied.replace(/[^/]+\.ics$/, ''), href: proxied });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const rooms = (await viaProxy.json('/v1/rooms?state=all')).body.items;
    expect(rooms).toEqual([expect.objectContaining({ state: 'ended' })]);
    expect(await orphans(viaProxy)).toEqual([]);
  });

  it('move a series: adding again reads its new time; the room and link stay', async () => {
    const uid = randomUUID();
    const href = `${work}${uid}.ics`;
    expect(await davPut(href, auth, eventIcs(uid, { start: new Date('2026-12-07T09:00:00Z'), rrule: 'FREQ=WEEKLY;UNTIL=20270301T090000Z' }))).toBe(201);
    hrefs.add(href);
    const added = (await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href })).body;
    expect((await room(added.room.code)).schedule).toMatchObject({ start: '2026-12-07T09:00:00Z', recurrenceEnd: '2027-03-01T09:00:00Z' });
    // Another client moves the whole series one day later and ends it later.
    const stored = await davGet(href, auth);
    const moved = stored.data
      .replace(/DTSTART:20261207T090000Z/, 'DTSTART:20261208T090000Z')
      .replace(/DTEND:20261207T100000Z/, 'DTEND:20261208T100000Z')
      .replace('UNTIL=20270301T090000Z', 'UNTIL=20270601T090000Z');
    expect([201, 204]).toContain(await davPut(href, auth, moved, stored.etag!));
    const again = (await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href })).body;
    expect(again).toMatchObject({ changed: false, room: { code: added.room.code } });
    expect(await room(added.room.code)).toMatchObject({ state: 'open', schedule: { start: '2026-12-08T09:00:00Z', recurrenceEnd: '2027-06-01T09:00:00Z' } });
    live.push(added.room.code);
    expect(await orphans(gw)).toEqual([]);
  });

  it('cancel an occurrence: the series still carries the room, which stays open', async () => {
    const uid = randomUUID();
    const href = `${work}${uid}.ics`;
    expect(await davPut(href, auth, eventIcs(uid, { start: new Date('2026-12-09T13:00:00Z'), rrule: 'FREQ=DAILY;COUNT=5' }))).toBe(201);
    hrefs.add(href);
    const added = (await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href })).body;
    const stored = await davGet(href, auth);
    const cancelledOne = stored.data.replace(
      'END:VCALENDAR',
      `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:${stamp(new Date())}\r\nRECURRENCE-ID:20261210T130000Z\r\nDTSTART:20261210T130000Z\r\nDTEND:20261210T140000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Annulée\r\nX-VISIO-ROOM:${added.room.code}\r\nEND:VEVENT\r\nEND:VCALENDAR`,
    );
    expect([201, 204]).toContain(await davPut(href, auth, cancelledOne, stored.etag!));
    expect((await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href })).body).toMatchObject({ changed: false });
    expect((await room(added.room.code)).state).toBe('open');
    live.push(added.room.code);
    expect(await orphans(gw)).toEqual([]);
  });

  it('delete the series (remove route), or cancel it (STATUS:CANCELLED): the room is ended', async () => {
    const removedUid = randomUUID();
    const removedHref = `${work}${removedUid}.ics`;
    expect(await davPut(removedHref, auth, eventIcs(removedUid, { rrule: 'FREQ=WEEKLY' }))).toBe(201);
    hrefs.add(removedHref);
    const one = (await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href: removedHref })).body;
    expect((await call(gw, 'DELETE', '/v1/calendars/events/visio', { calendar: work, href: removedHref })).body).toMatchObject({ roomReleased: true });
    expect(await room(one.room.code)).toMatchObject({ state: 'ended', releaseReason: 'cancelled' });

    const cancelledUid = randomUUID();
    const cancelledHref = `${work}${cancelledUid}.ics`;
    expect(await davPut(cancelledHref, auth, eventIcs(cancelledUid, { rrule: 'FREQ=WEEKLY' }))).toBe(201);
    hrefs.add(cancelledHref);
    const two = (await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href: cancelledHref })).body;
    const stored = await davGet(cancelledHref, auth);
    expect([201, 204]).toContain(await davPut(cancelledHref, auth, stored.data.replace('END:VEVENT', 'STATUS:CANCELLED\r\nEND:VEVENT'), stored.etag!));
    expect((await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href: cancelledHref })).body).toMatchObject({ roomReleased: true });
    expect(await room(two.room.code)).toMatchObject({ state: 'ended', releaseReason: 'cancelled' });
    // A cancelled event gets no new room, and its room stays ended.
    const count = (await gw.json('/v1/rooms?limit=100&state=all')).body.items.length;
    expect((await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: work, href: cancelledHref })).body).toMatchObject({ changed: false });
    expect((await gw.json('/v1/rooms?limit=100&state=all')).body.items).toHaveLength(count);
    expect((await room(two.room.code)).state).toBe('ended');
    expect(await orphans(gw)).toEqual([]);
  });

  it("after the retention job (drafts expired): zero orphans, and every live event's room still open", async () => {
    // A draft: a room made for an editor that never saved.
    const draft = (await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: randomUUID() } })).body.code;
    expect(await orphans(gw)).toEqual([draft]);
    expect(await afterDays(gw, 2)).toMatchObject({ ran: true, ended: 1 });
    expect(await orphans(gw)).toEqual([]);
    for (const code of live) expect((await room(code)).state).toBe('open');
  });
});
