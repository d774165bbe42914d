import { randomUUID } from 'node:crypto';
import { startSogo, type SogoServer } from '@visio/testing/sogo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davGet, davPut, eventIcs, events, lines, objectByUid } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';
import { teamsProperties, zoomProperties } from './switch-fixtures.ts';

let sogo: SogoServer;
let gw: TestGateway;
let alice: string;

beforeAll(async () => {
  sogo = await startSogo({
    alice: { password: `alice-${randomUUID()}`, name: 'Alice Martin', email: 'alice@example.test' },
    bob: { password: 'bob-password', name: 'Bob Durand', email: 'bob@example.test' },
  });
  alice = sogo.calendarUrl('alice');
  gw = await startTestGateway({ CALDAV_SERVERS: sogo.url });
}, 120_000);
afterAll(async () => {
  await sogo?.stop();
});

const call = (body: unknown) => gw.json('/v1/calendars/events/switch', { method: 'POST', headers: { 'x-caldav-authorization': sogo.basic('alice') }, body });

/** Every VEVENT of the attendee's own copy, raw and parsed. */
async function bobsCopy(uid: string): Promise<{ raw: string; events: ReturnType<typeof events> } | null> {
  const raw = await objectByUid(sogo.calendarUrl('bob'), sogo.basic('bob'), uid);
  return raw ? { raw, events: events(raw) } : null;
}

describe('switch to Visio on SOGo (server-side scheduling)', () => {
  it("switches a Teams meeting: the attendee's copy carries the Visio link and not the Teams one", async () => {
    const uid = randomUUID();
    const href = `${alice}${uid}.ics`;
    expect(await davPut(href, sogo.basic('alice'), eventIcs(uid, { summary: 'Point hebdo', ...teamsProperties(), organizer: 'alice@example.test', attendees: ['bob@example.test'] }))).toBeLessThan(
      300,
    );
    const invited = await bobsCopy(uid);
    expect(invited?.raw).toContain('teams.microsoft.com');

    const { status, body } = await call({ calendar: alice, href });
    expect(status).toBe(200);
    expect(body).toMatchObject({ changed: true, providers: ['teams'], scheduling: { mode: 'server', invitationsSent: false, action: 'unconfirmed' } });
    // SOGo delivers (the attendee's copy below shows it) but writes no SCHEDULE-STATUS: not confirmed.
    expect(body.notices[0]).toBe('Le serveur d’agenda n’a pas confirmé l’envoi des invitations : vérifiez auprès des participants, ou envoyez-leur l’invitation (.ics).');

    const mine = await davGet(href, sogo.basic('alice'));
    expect(mine.data).not.toMatch(/teams\.microsoft\.com|X-MICROSOFT-SKYPETEAMSMEETINGURL/i);
    const copy = await bobsCopy(uid);
    expect(copy).not.toBeNull();
    expect(copy!.raw).not.toMatch(/teams\.microsoft\.com/i);
    expect(copy!.events[0]!.location).toContain(body.room.url);
    expect(copy!.events[0]!.description).toContain(body.room.url);
    expect(copy!.events[0]!.description).toContain('See you Monday.');
  });

  it("switches a Zoom series: one room for every occurrence, and the attendee's copy follows", async () => {
    // A series without moved occurrences: with overrides, SOGo 5 updates the attendee's overrides but not
    // the master (the plain "add Visio" path shows the same; see gateway/README.md).
    const uid = randomUUID();
    const href = `${alice}${uid}.ics`;
    const zoom = zoomProperties();
    const ics = lines(
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//third party//test//EN',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20270104T090000Z',
      'DTSTART:20270104T090000Z',
      'DTEND:20270104T100000Z',
      'RRULE:FREQ=WEEKLY;COUNT=8',
      'SUMMARY:Hebdo Zoom',
      'ORGANIZER;CN=Alice Martin:mailto:alice@example.test',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.test',
      `LOCATION:${zoom.location}`,
      `DESCRIPTION:${zoom.description}`,
      'END:VEVENT',
      'END:VCALENDAR',
    );
    expect(await davPut(href, sogo.basic('alice'), ics)).toBeLessThan(300);
    expect((await bobsCopy(uid))?.raw).toMatch(/zoom\.us/i);
    const { status, body } = await call({ calendar: alice, href, lang: 'en' });
    expect(status).toBe(200);
    expect(body.providers).toEqual(['zoom']);
    expect(events((await davGet(href, sogo.basic('alice'))).data)[0]!.room).toBe(body.room.code);
    const copy = await bobsCopy(uid);
    expect(copy!.raw).not.toMatch(/zoom\.us|zoomcrc/i);
    expect(copy!.events[0]!.location).toBe(body.room.url);
    expect(copy!.events[0]!.description).toContain(body.room.url);
  });
});
