/**
 * The calendar route suite every real CalDAV server runs (Radicale, SOGo, Xandikos, Cyrus): the same
 * requests through a real gateway, the same expectations, with captured client fixtures
 * (fixtures/calendar/). Server-specific checks (scheduling delivery, storage tricks) stay in each
 * server's own test file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davGet, davPut, eventIcs, events } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

export interface SuiteServer {
  /** CALDAV_SERVERS for the gateway. */
  caldavServers: string;
  /** A calendar of the agent's that takes events. */
  calendar: string;
  /** The agent's CalDAV credentials (an Authorization value). */
  authorization: string;
  /** The agent's address, as the server knows it (the organizer of the fixtures). */
  agentEmail: string;
  /** RFC 6638: the server sends invitations itself (`calendar-auto-schedule`). */
  schedules: boolean;
  stop(): Promise<void>;
}

type Component = InstanceType<typeof ICAL.Component>;

export const FIXTURES = join(import.meta.dirname, 'fixtures', 'calendar');
const FIXTURE_FILES = ['thunderbird-153-series.ics', 'outlook-exchange2010-series.ics'];

/** A fixture as a client importing it writes it: no METHOD (RFC 4791 4.1), a UID of its own per run. */
export function fixture(file: string, uid = `${randomUUID()}-fixture`): { ics: string; uid: string } {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const original = /^UID:(.*(?:\r\n[ \t].*)*)/m.exec(text)![1]!.replace(/\r\n[ \t]/g, '');
  const ics = text.replace(/^METHOD:.*\r\n/m, '').replace(/^UID:.*(?:\r\n[ \t].*)*/gm, `UID:${uid}`);
  expect(ics).not.toContain(original);
  return { ics, uid };
}

const parse = (ics: string) => new ICAL.Component(ICAL.parse(ics) as unknown[]);
// Properties the gateway writes, and those servers or our bookkeeping change on every write.
const OURS = new Set(['location', 'description', 'url', 'conference', 'x-visio-room', 'sequence', 'dtstamp', 'last-modified', 'x-moz-generation']);
const SERVER_PARAMS = new Set(['schedule-status', 'schedule-agent']);

/** What must survive a Visio add or remove, per VEVENT (keyed by RECURRENCE-ID): everything else. */
export function kept(ics: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const event of parse(ics).getAllSubcomponents('vevent')) {
    const key = String(event.getFirstPropertyValue('recurrence-id') ?? 'master');
    const properties = event
      .getAllProperties()
      .filter((p) => !OURS.has(p.name))
      .map((p) => {
        // Servers reorder parameters: compare them sorted, without the ones servers add.
        const [name, params, type, ...values] = structuredClone(p.toJSON()) as [string, Record<string, unknown>, string, ...unknown[]];
        const sorted = Object.fromEntries(
          Object.entries(params)
            .filter(([k]) => !SERVER_PARAMS.has(k))
            .sort(([a], [b]) => a.localeCompare(b)),
        );
        return new ICAL.Property([name, sorted, type, ...values]).toICALString();
      })
      .sort();
    const alarms = event
      .getAllSubcomponents('valarm')
      .map((a: Component) => a.toString())
      .sort();
    out[key] = [...properties, ...alarms];
  }
  return out;
}

const zonesOf = (ics: string) =>
  parse(ics)
    .getAllSubcomponents('vtimezone')
    .map((z) => String(z.getFirstPropertyValue('tzid')));

/** The UTC instant of each VEVENT's DTSTART, read with the object's own VTIMEZONEs only. */
function startInstants(ics: string): string[] {
  const calendar = parse(ics);
  const zones = new Map(calendar.getAllSubcomponents('vtimezone').map((z) => [String(z.getFirstPropertyValue('tzid')), new ICAL.Timezone(z)]));
  return calendar.getAllSubcomponents('vevent').map((event) => {
    const property = event.getFirstProperty('dtstart')!;
    const time = (property.getFirstValue() as InstanceType<typeof ICAL.Time>).clone();
    const tzid = property.getParameter('tzid') as string | undefined;
    if (tzid) {
      const zone = zones.get(tzid);
      expect(zone, `VTIMEZONE for ${tzid}`).toBeDefined();
      time.zone = zone!;
    }
    return time.toJSDate().toISOString();
  });
}

export function calendarRouteSuite(name: string, start: () => Promise<SuiteServer>): void {
  describe(`calendar routes on ${name}`, () => {
    let server: SuiteServer;
    let gw: TestGateway;
    beforeAll(async () => {
      server = await start();
      gw = await startTestGateway({ CALDAV_SERVERS: server.caldavServers, CALDAV_TIMEOUT_MS: '15000', VISIO_LOCAL_USER_EMAIL: server.agentEmail, VISIO_LOCAL_USER_NAME: 'Alice Martin' });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    });

    const call = (method: string, path: string, body?: unknown) => gw.json(path, { method, headers: { 'x-caldav-authorization': server.authorization }, ...(body === undefined ? {} : { body }) });
    const put = async (ics: string, uid: string) => {
      const href = `${server.calendar}${encodeURIComponent(uid)}.ics`;
      expect(await davPut(href, server.authorization, ics)).toBeLessThan(300);
      return href;
    };
    const stored = async (href: string) => {
      const r = await davGet(href, server.authorization);
      expect(r.status).toBe(200);
      return r.data;
    };

    it('lists the agent’s calendar as one that takes events', async () => {
      const { status, body } = await call('GET', '/v1/calendars');
      expect(status).toBe(200);
      expect(body.calendars).toContainEqual(expect.objectContaining({ url: server.calendar, acceptsEvents: true }));
    });

    it('creates a meeting in a linked zone (Indian/Reunion): its TZID is defined and the instant kept', async () => {
      const { status, body } = await call('POST', '/v1/calendars/events', {
        calendar: server.calendar,
        title: 'Point La Réunion',
        start: '2026-12-15T10:00:00',
        end: '2026-12-15T11:00:00',
        timeZone: 'Indian/Reunion',
      });
      expect(status).toBe(201);
      expect(body.scheduling).toMatchObject({ mode: 'none', invitationsSent: false, action: 'none' });
      const data = await stored(body.href);
      expect(events(data)[0]).toMatchObject({ uid: body.uid, room: body.room.code, url: body.room.url });
      expect(zonesOf(data)).toContain('Indian/Reunion');
      expect(startInstants(data)).toEqual(['2026-12-15T06:00:00.000Z']);
    });

    it('writes a UTC meeting as Z times without TZID', async () => {
      const { status, body } = await call('POST', '/v1/calendars/events', {
        calendar: server.calendar,
        title: 'Point UTC',
        start: '2026-12-16T10:00:00',
        end: '2026-12-16T11:00:00',
        timeZone: 'Etc/UTC',
      });
      expect(status).toBe(201);
      const data = await stored(body.href);
      const start = parse(data).getFirstSubcomponent('vevent')!.getFirstProperty('dtstart')!;
      expect(start.getParameter('tzid')).toBeUndefined();
      expect(startInstants(data)).toEqual(['2026-12-16T10:00:00.000Z']);
    });

    it('adds a room to a third-party event, keeps it on repeat, removes it and gives the text back', async () => {
      const uid = randomUUID();
      const href = await put(eventIcs(uid, { summary: 'Point RH', location: 'Bureau 12', description: 'Ordre du jour :\\n1. budget' }), uid);
      const added = await call('POST', '/v1/calendars/events/visio', { calendar: server.calendar, href });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ href, uid, changed: true, scheduling: { mode: 'none', action: 'none' } });
      const again = await call('POST', '/v1/calendars/events/visio', { calendar: server.calendar, uid });
      expect(again.body).toMatchObject({ changed: false, room: added.body.room, scheduling: { action: 'none' } });
      const withRoom = events(await stored(href))[0]!;
      expect(withRoom).toMatchObject({ room: added.body.room.code, url: added.body.room.url });
      expect(withRoom.properties).toContain('conference');
      const removed = await call('DELETE', '/v1/calendars/events/visio', { calendar: server.calendar, href });
      expect(removed.body).toMatchObject({ changed: true, room: null, roomReleased: true });
      const after = events(await stored(href))[0]!;
      expect(after).toMatchObject({ location: 'Bureau 12', description: 'Ordre du jour :\n1. budget', url: '', room: '' });
      expect(after.properties).not.toContain('conference');
      // Released: kept in the store as ended (issue 18), with the reason.
      expect((await gw.json(`/v1/rooms/${added.body.room.code}`)).body).toMatchObject({ state: 'ended', releaseReason: 'cancelled' });
    });

    for (const file of FIXTURE_FILES) {
      it(`adds a room to every VEVENT of ${file} and keeps everything else, alarms and X- properties included`, async () => {
        const { ics, uid } = fixture(file);
        const href = await put(ics, uid);
        const before = await stored(href);
        expect(events(before).length).toBeGreaterThan(1);
        const added = await call('POST', '/v1/calendars/events/visio', { calendar: server.calendar, uid });
        expect(added.status).toBe(200);
        expect(added.body.changed).toBe(true);
        const withRoom = await stored(href);
        const all = events(withRoom);
        expect(all).toHaveLength(events(before).length);
        for (const e of all) {
          expect(e).toMatchObject({ room: added.body.room.code, url: added.body.room.url });
          expect(e.description).toContain(added.body.room.url);
        }
        expect(kept(withRoom)).toEqual(kept(before));
        expect(zonesOf(withRoom)).toEqual(zonesOf(before));
        expect(startInstants(withRoom)).toEqual(startInstants(before));
        checkScheduling(added.body.scheduling, server);

        const removed = await call('DELETE', '/v1/calendars/events/visio', { calendar: server.calendar, uid });
        expect(removed.body).toMatchObject({ changed: true, room: null, roomReleased: true });
        const after = await stored(href);
        expect(kept(after)).toEqual(kept(before));
        const text = (data: string) => events(data).map((e) => [e.summary, e.location, e.description, e.url, e.room]);
        expect(text(after)).toEqual(text(before));
      });
    }

    it('creates a meeting with attendees as the agent, and says honestly whether invitations went out', async () => {
      const { status, body } = await call('POST', '/v1/calendars/events', {
        calendar: server.calendar,
        title: 'Revue de projet',
        start: '2026-12-10T14:00:00',
        end: '2026-12-10T15:00:00',
        timeZone: 'Europe/Paris',
        attendees: [{ email: 'dana@elsewhere.test', name: 'Dana' }],
      });
      expect(status).toBe(201);
      const organizer = parse(await stored(body.href))
        .getFirstSubcomponent('vevent')!
        .getFirstPropertyValue('organizer');
      expect(String(organizer).toLowerCase()).toBe(`mailto:${server.agentEmail}`);
      expect(body.scheduling.organizer).toBe(server.agentEmail);
      checkScheduling(body.scheduling, server);
    });

    it('lists a meeting of the next hours with its link', async () => {
      const uid = randomUUID();
      await put(eventIcs(uid, { summary: 'Bientôt', start: new Date(Date.now() + 30 * 60_000) }), uid);
      await call('POST', '/v1/calendars/events/visio', { calendar: server.calendar, uid });
      const { status, body } = await call('GET', '/v1/meetings/upcoming?hours=2');
      expect(status).toBe(200);
      expect(body.items).toContainEqual(expect.objectContaining({ uid, title: 'Bientôt', calendar: expect.objectContaining({ url: server.calendar }) }));
    });

    it('never logs the CalDAV credentials', () => {
      const all = gw.logs.join('\n');
      expect(all.length).toBeGreaterThan(0);
      expect(all).not.toContain(server.authorization.slice(6));
    });
  });
}

/**
 * The scheduling answer for a write by the organizer: true only with every attendee confirmed by the
 * server; otherwise the file to send and to whom.
 */
export function checkScheduling(scheduling: any, server: SuiteServer): void {
  expect(scheduling.attendees.length).toBeGreaterThan(0);
  if (!server.schedules) {
    expect(scheduling).toMatchObject({ mode: 'client', invitationsSent: false, action: 'send-invitation' });
    expect(scheduling.recipients).toEqual(scheduling.attendees.map((a: any) => a.email));
  } else {
    const confirmed = scheduling.attendees.every((a: any) => /^1\./.test(a.status ?? ''));
    expect(scheduling.mode).toBe('server');
    expect(scheduling.invitationsSent).toBe(confirmed);
    expect(scheduling.action).toBe(confirmed ? 'none' : scheduling.attendees.every((a: any) => a.status === null) ? 'unconfirmed' : 'send-invitation');
  }
  expect(scheduling.message).toMatch(/\S/);
  if (scheduling.action !== 'none') {
    expect(scheduling.ics).toMatch(/^METHOD:REQUEST\r$/m);
    expect(scheduling.ics).toMatch(/^ORGANIZER[:;]/m);
    expect(scheduling.ics).not.toMatch(/SCHEDULE-STATUS/);
  }
}
