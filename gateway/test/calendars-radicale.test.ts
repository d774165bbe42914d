import { randomUUID } from 'node:crypto';
import { basicCaldavAuthorization, createVisioClient, describeError } from '@visio/shared/client';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarRouteSuite } from './calendar-suite.ts';
import { davGet, davPut, eventIcs, events, interceptingProxy } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

const PASSWORD = `app-${randomUUID()}`;
let radicale: RadicaleServer;
let gw: TestGateway;
let work: string;
let tasks: string;
let auth: string;

beforeAll(async () => {
  radicale = await startRadicale({ alice: PASSWORD, bob: 'bob-password' });
  work = await radicale.makeCalendar('alice', 'work', { displayName: 'Travail', color: '#0063CBFF' });
  tasks = await radicale.makeCalendar('alice', 'tasks', { displayName: 'Tâches', components: ['VTODO'] });
  auth = radicale.basic('alice');
  gw = await startTestGateway({ CALDAV_SERVERS: radicale.url, CALDAV_TIMEOUT_MS: '5000', VISIO_LOCAL_USER_EMAIL: 'alice@example.test' });
}, 30_000);
afterAll(async () => {
  await radicale?.stop();
});

const call = (method: string, path: string, body?: unknown, authorization = auth) =>
  gw.json(path, { method, headers: { 'x-caldav-authorization': authorization }, ...(body === undefined ? {} : { body }) });

async function putEvent(ics: string, name = `${randomUUID()}.ics`): Promise<string> {
  const url = `${work}${name}`;
  expect(await davPut(url, auth, ics)).toBe(201);
  return url;
}

// The suite shared by every server, on this Radicale (started above, stopped below).
calendarRouteSuite('Radicale (no scheduling)', async () => ({
  caldavServers: radicale.url,
  calendar: work,
  authorization: auth,
  agentEmail: 'alice@example.test',
  schedules: false,
  stop: async () => undefined,
}));

describe('calendars on Radicale (no server-side scheduling)', () => {
  it('lists the calendars found from the server root, with name, colour and whether they take events', async () => {
    const { status, body } = await call('GET', '/v1/calendars');
    expect(status).toBe(200);
    const byUrl = Object.fromEntries(body.calendars.map((c: any) => [c.url, c]));
    expect(byUrl[work]).toMatchObject({ displayName: 'Travail', color: '#0063CBFF', acceptsEvents: true });
    expect(byUrl[tasks]).toMatchObject({ displayName: 'Tâches', acceptsEvents: false, components: ['VTODO'] });
  });

  it('creates an event with a room; without scheduling the answer carries the METHOD:REQUEST file', async () => {
    const { status, body } = await call('POST', '/v1/calendars/events', {
      calendar: work,
      title: 'Comité de pilotage',
      start: '2026-12-01T10:00:00',
      end: '2026-12-01T11:00:00',
      timeZone: 'Europe/Paris',
      location: 'Salle 3',
      attendees: [{ email: 'bob@example.test', name: 'Bob' }],
      organizer: { email: 'alice@example.test', name: 'Alice' },
      rrule: 'FREQ=WEEKLY;COUNT=4',
    });
    expect(status).toBe(201);
    expect(body.scheduling).toMatchObject({ mode: 'client', invitationsSent: false, action: 'send-invitation', organizer: 'alice@example.test', recipients: ['bob@example.test'] });
    expect(body.scheduling.ics).toMatch(/^METHOD:REQUEST\r?$/m);
    expect(body.scheduling.ics).toContain(body.room.code);
    const stored = await davGet(body.href, auth);
    expect(stored.status).toBe(200);
    expect(stored.data).not.toMatch(/^METHOD:/m);
    const [event] = events(stored.data);
    expect(event).toMatchObject({ uid: body.uid, summary: 'Comité de pilotage', room: body.room.code, url: body.room.url });
    expect(event!.location).toContain('Salle 3');
    expect(event!.location).toContain(body.room.url);
    expect(event!.description).toContain(body.room.url);
    const room = await gw.json(`/v1/rooms/${body.room.code}`);
    expect(room.body.eventUid).toBe(body.uid);
  });

  it('20 concurrent "add Visio" calls give one room, and a third-party edit made between them survives', async () => {
    const uid = randomUUID();
    const href = await putEvent(eventIcs(uid, { summary: 'Course', location: 'Salle A' }));
    // A proxy in front of Radicale that, before forwarding the 3rd PUT, lets a third party edit the event.
    let puts = 0;
    let edited = false;
    const proxy = await interceptingProxy(radicale.origin, async (req) => {
      if (req.method === 'PUT' && ++puts === 3) {
        // The third party retries on 412 like any CalDAV client: other gateway writes are in flight.
        for (let attempt = 0; attempt < 50 && !edited; attempt++) {
          const current = await davGet(href, auth);
          const third = current.data.replace(/^SUMMARY:.*$/m, 'SUMMARY:Course (édité par Bob)');
          edited = (await davPut(href, auth, third, current.etag!)) < 300;
        }
      }
    });
    const proxied = proxy.origin;
    const viaProxy = await startTestGateway({ CALDAV_SERVERS: `${proxied}/`, CALDAV_TIMEOUT_MS: '20000' });
    try {
      const calendar = work.replace(radicale.origin, proxied);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => viaProxy.json('/v1/calendars/events/visio', { method: 'POST', headers: { 'x-caldav-authorization': auth }, body: { calendar, uid } })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const codes = new Set(results.map((r) => r.body.room.code));
      expect(codes.size).toBe(1);
      expect(results.filter((r) => r.body.changed)).toHaveLength(1);
      expect(edited).toBe(true);
      const [event] = events((await davGet(href, auth)).data);
      expect(event).toMatchObject({ summary: 'Course (édité par Bob)', room: [...codes][0] });
      expect(event!.location).toContain('Salle A');
      const rooms = await viaProxy.json('/v1/rooms?limit=100');
      expect(rooms.body.items.filter((r: any) => r.eventUid === uid)).toHaveLength(1);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('lists the upcoming meetings with a Visio link, recurring occurrences expanded', async () => {
    const soon = new Date(Date.now() + 3_600_000);
    const series = randomUUID();
    await putEvent(eventIcs(series, { summary: 'Quotidienne', start: new Date(soon.getTime() - 2 * 86_400_000), rrule: 'FREQ=DAILY;COUNT=10', minutes: 15 }));
    await call('POST', '/v1/calendars/events/visio', { calendar: work, uid: series });
    await putEvent(eventIcs(randomUUID(), { summary: 'Sans lien', start: soon }));
    await putEvent(eventIcs(randomUUID(), { summary: 'Plus tard', start: new Date(Date.now() + 30 * 3_600_000), location: 'https://visio.numerique.gouv.fr/abc-defg-hij' }));
    await putEvent(eventIcs(randomUUID(), { summary: 'Lien collé', start: new Date(soon.getTime() + 600_000), description: 'Rejoindre : https://visio.numerique.gouv.fr/xyz-abcd-efg' }));
    const { status, body } = await call('GET', '/v1/meetings/upcoming?hours=3');
    expect(status).toBe(200);
    const titles = body.items.map((m: any) => m.title);
    expect(titles).toContain('Quotidienne');
    expect(titles).toContain('Lien collé');
    expect(titles).not.toContain('Sans lien');
    expect(titles).not.toContain('Plus tard');
    const daily = body.items.find((m: any) => m.title === 'Quotidienne');
    expect(daily).toMatchObject({ uid: series, calendar: { url: work, displayName: 'Travail' } });
    expect(daily.recurrenceId).not.toBeNull();
    expect(Date.parse(daily.start)).toBeGreaterThan(Date.now());
    expect(body.items.find((m: any) => m.title === 'Lien collé')).toMatchObject({ code: 'xyz-abcd-efg', joinUrl: 'https://visio.numerique.gouv.fr/xyz-abcd-efg' });
    const wide = await call('GET', '/v1/meetings/upcoming?hours=48');
    expect(wide.body.items.map((m: any) => m.title)).toContain('Plus tard');
    expect(wide.body.items.filter((m: any) => m.uid === series).length).toBeGreaterThanOrEqual(2);
  });
});

describe('calendars through the typed client', () => {
  it('adds, lists and removes with the shared client, and describes CalDAV errors', async () => {
    const client = createVisioClient({ baseUrl: gw.url, clientName: 'test' });
    const caldav = { authorization: basicCaldavAuthorization('alice', PASSWORD) };
    const uid = randomUUID();
    await putEvent(eventIcs(uid, { summary: 'Via le client', start: new Date(Date.now() + 20 * 60_000) }));
    const added = await client.addVisioToEvent({ calendar: work, uid }, caldav);
    expect(added.changed).toBe(true);
    const upcoming = await client.upcomingMeetings(1, caldav);
    expect(upcoming.items).toContainEqual(expect.objectContaining({ uid, joinUrl: added.room!.url }));
    expect((await client.listCalendars(caldav)).calendars.some((c) => c.url === work)).toBe(true);
    expect((await client.removeVisioFromEvent({ calendar: work, uid }, caldav)).room).toBeNull();
    const error = await client.listCalendars({ authorization: basicCaldavAuthorization('alice', 'nope') }).catch((e: unknown) => e);
    expect(describeError(error, 'fr')).toMatch(/serveur d’agenda a refusé/);
  });
});

describe('calendars on Radicale: bad input changes nothing', () => {
  const roomCount = async () => (await gw.json('/v1/rooms?limit=100')).body.items.length;

  it('a missing event is 404', async () => {
    const r = await call('POST', '/v1/calendars/events/visio', { calendar: work, href: `${work}nope.ics` });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await call('POST', '/v1/calendars/events/visio', { calendar: work, uid: 'no-such-uid' })).status).toBe(404);
  });

  it('wrong credentials (401 from the server) are a clear problem, and nothing is written', async () => {
    const uid = randomUUID();
    const href = await putEvent(eventIcs(uid));
    const before = await davGet(href, auth);
    const rooms = await roomCount();
    const wrong = `Basic ${Buffer.from('alice:wrong').toString('base64')}`;
    const r = await call('POST', '/v1/calendars/events/visio', { calendar: work, href }, wrong);
    expect(r.status).toBe(403);
    expect(r.body.type).toBe('urn:visio:problem:caldav-credentials-refused');
    expect((await call('GET', '/v1/calendars', undefined, wrong)).body.type).toBe('urn:visio:problem:caldav-credentials-refused');
    expect((await davGet(href, auth)).data).toBe(before.data);
    expect(await roomCount()).toBe(rooms);
  });

  it('missing or malformed credentials are refused before any request', async () => {
    const r = await gw.json('/v1/calendars');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('X-CalDAV-Authorization');
    expect((await call('GET', '/v1/calendars', undefined, 'Digest username="alice"')).status).toBe(400);
    expect((await call('GET', '/v1/calendars', undefined, 'Basic not base64!')).status).toBe(400);
  });

  it('a calendar that refuses VEVENT gives 422 and leaves no room behind', async () => {
    const rooms = await roomCount();
    const r = await call('POST', '/v1/calendars/events', { calendar: tasks, title: 'Réunion', start: '2026-12-02T10:00:00', end: '2026-12-02T11:00:00', timeZone: 'Europe/Paris' });
    expect(r.status).toBe(422);
    expect(r.body.type).toBe('urn:visio:problem:calendar-refuses-events');
    expect(await roomCount()).toBe(rooms);
  });

  it('event text with CR/LF or HTML cannot inject properties', async () => {
    const bad = await call('POST', '/v1/calendars/events', {
      calendar: work,
      title: 'Titre\r\nATTENDEE:mailto:evil@example.test',
      start: '2026-12-03T10:00:00',
      end: '2026-12-03T11:00:00',
      timeZone: 'Europe/Paris',
    });
    expect(bad.status).toBe(400);
    const { status, body } = await call('POST', '/v1/calendars/events', {
      calendar: work,
      title: '<img src=x onerror=alert(1)>',
      description: 'Ligne 1\r\nATTENDEE:mailto:evil@example.test\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:injected',
      start: '2026-12-03T10:00:00',
      end: '2026-12-03T11:00:00',
      timeZone: 'Europe/Paris',
    });
    expect(status).toBe(201);
    const all = events((await davGet(body.href, auth)).data);
    expect(all).toHaveLength(1);
    expect(all[0]!.attendees).toEqual([]);
    expect(all[0]!.summary).toBe('<img src=x onerror=alert(1)>');
    expect(all[0]!.description).toContain('ATTENDEE:mailto:evil@example.test');
  });

  it('a malformed object on the server gives a clear problem and is left as it was', async () => {
    // Radicale validates what it is sent, so the broken object is written into its storage directly.
    const name = `${randomUUID()}.ics`;
    const broken = eventIcs('broken').replace(/^DTEND:.*$/m, 'DTEND:2026-99-99');
    const url = radicale.writeRaw('alice', 'work', name, broken);
    const rooms = await roomCount();
    const r = await call('POST', '/v1/calendars/events/visio', { calendar: work, href: url });
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toMatch(/answered 500/);
    expect(await roomCount()).toBe(rooms);
    // A to-do is not an event: refused as an invalid object, untouched.
    const todo = `${tasks}${randomUUID()}.ics`;
    const todoIcs = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t\r\nBEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Tâche\r\nEND:VTODO\r\nEND:VCALENDAR\r\n';
    expect(await davPut(todo, auth, todoIcs)).toBeLessThan(300);
    const before = await davGet(todo, auth);
    const t = await call('POST', '/v1/calendars/events/visio', { calendar: tasks, href: todo });
    expect(t.status).toBe(422);
    expect(t.body.type).toBe('urn:visio:problem:invalid-calendar-object');
    expect((await davGet(todo, auth)).data).toBe(before.data);
    expect(await roomCount()).toBe(rooms);
  });

  it('never logs the CalDAV credentials', async () => {
    const all = gw.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(auth.slice(6));
  });
});
