import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { IcsError, addRoomToIcs, buildMeetingIcs, fileMethod, readRoomFromIcs, setIcsMethod, type MeetingInput } from '../src/ics.ts';
import { removeInvitationText, renderInvitation } from '../src/invitation.ts';

const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };
const now = new Date('2026-11-20T08:30:00.123Z');

function meeting(extra: Partial<MeetingInput> = {}): MeetingInput {
  return {
    uid: 'meeting-1@example.org',
    title: 'Point hebdomadaire',
    start: '2026-12-01T10:00:00',
    end: '2026-12-01T11:00:00',
    timeZone: 'Europe/Paris',
    room,
    now,
    ...extra,
  };
}

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  const events = calendar.getAllSubcomponents('vevent');
  expect(events).toHaveLength(1);
  return { calendar, event: events[0]! };
}

function errorOf(run: () => unknown): IcsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IcsError);
    return error as IcsError;
  }
  throw new Error('expected an IcsError');
}

describe('buildMeetingIcs', () => {
  it('writes a zoned event with its VTIMEZONE, the room everywhere, and no METHOD by default', () => {
    const ics = buildMeetingIcs(meeting({ location: 'Salle 204', description: 'Ordre du jour' }));
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.split('\r\n').every((line) => new TextEncoder().encode(line).length <= 75)).toBe(true);
    const { calendar, event } = parse(ics);
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//DINUM//Visio integrations//FR');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.hasProperty('method')).toBe(false);
    const zones = calendar.getAllSubcomponents('vtimezone');
    expect(zones.map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Europe/Paris']);

    expect(event.getFirstPropertyValue('uid')).toBe('meeting-1@example.org');
    expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Paris');
    // Real zone, not floating: 10:00 in Paris in December is 09:00 UTC.
    const start = new ICAL.Event(event).startDate;
    expect(start.toJSDate().toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(new ICAL.Event(event).endDate.toJSDate().toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(ics).toContain('DTSTAMP:20261120T083000Z');
    expect(event.getFirstPropertyValue('sequence')).toBe(0);

    expect(event.getFirstPropertyValue('location')).toBe(`Salle 204, ${room.url}`);
    expect(event.getFirstPropertyValue('url')).toBe(room.url);
    expect(event.getFirstPropertyValue('x-visio-room')).toBe(room.code);
    const description = String(event.getFirstPropertyValue('description'));
    expect(description).toContain(renderInvitation({ room, title: 'Point hebdomadaire' }).text);
    expect(removeInvitationText(description)).toBe('Ordre du jour');
    const unfolded = ics.replace(/\r\n[ \t]/g, '');
    expect(unfolded).toMatch(/\r\nCONFERENCE;(?:[^\r\n:]*;)?FEATURE=AUDIO,VIDEO[;:]/);
    expect(unfolded).toMatch(/\r\nCONFERENCE;[^\r\n:]*VALUE=URI[;:]/);
    const conference = event.getFirstProperty('conference')!;
    expect(conference.type).toBe('uri');
    expect(conference.getFirstValue()).toBe(room.url);
    expect(conference.getParameter('label')).toBe('Rejoindre la réunion Visio');
  });

  it('converts Z and offset times into the meeting zone', () => {
    const { event } = parse(buildMeetingIcs(meeting({ start: '2026-07-01T08:00:00Z', end: '2026-07-01T11:30:00+02:00' })));
    expect(event.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/Paris:20260701T100000');
    expect(event.getFirstProperty('dtend')!.toICALString()).toBe('DTEND;TZID=Europe/Paris:20260701T113000');
  });

  it('writes organizer, attendees with roles and RSVP, RRULE, and METHOD when asked', () => {
    const ics = buildMeetingIcs(
      meeting({
        organizer: { email: 'chef@interieur.gouv.fr', name: 'Dupont, Jeanne' },
        attendees: [
          { email: 'a@numerique.gouv.fr', name: 'Ali "Le Chef" Ben' },
          { email: 'b@numerique.gouv.fr', role: 'OPT-PARTICIPANT', rsvp: false },
        ],
        rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10',
        lang: 'en',
      }),
      { method: 'REQUEST' },
    );
    const { calendar, event } = parse(ics);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const organizer = event.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:chef@interieur.gouv.fr');
    expect(organizer.getParameter('cn')).toBe('Dupont, Jeanne');
    const [a, b] = event.getAllProperties('attendee');
    expect(a!.getFirstValue()).toBe('mailto:a@numerique.gouv.fr');
    expect(a!.getParameter('cn')).toBe("Ali 'Le Chef' Ben");
    expect(a!.getParameter('role')).toBe('REQ-PARTICIPANT');
    expect(a!.getParameter('rsvp')).toBe('TRUE');
    expect(b!.getParameter('cn')).toBeUndefined();
    expect(b!.getParameter('role')).toBe('OPT-PARTICIPANT');
    expect(b!.getParameter('rsvp')).toBe('FALSE');
    const rrule = event.getFirstPropertyValue('rrule') as InstanceType<typeof ICAL.Recur>;
    expect([rrule.freq, rrule.count, rrule.parts['BYDAY']]).toEqual(['WEEKLY', 10, ['MO']]);
    expect(event.getFirstProperty('conference')!.getParameter('label')).toBe('Join the Visio meeting');
  });

  it('marks a CANCEL file STATUS:CANCELLED', () => {
    const { calendar, event } = parse(buildMeetingIcs(meeting({ organizer: { email: 'chef@interieur.gouv.fr' } }), { method: 'CANCEL' }));
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED');
  });

  it('generates distinct UIDs when none is given', () => {
    const uid = (ics: string) => parse(ics).event.getFirstPropertyValue('uid');
    const { uid: _omit, ...input } = meeting();
    expect(uid(buildMeetingIcs(input))).not.toBe(uid(buildMeetingIcs(input)));
  });

  it('does not duplicate the link when the place already holds it', () => {
    const { event } = parse(buildMeetingIcs(meeting({ location: `Salle 204 ${room.url}` })));
    expect(event.getFirstPropertyValue('location')).toBe(`Salle 204 ${room.url}`);
  });

  it.each([
    ['invalid-time-zone', { timeZone: 'Europe/Atlantis' }],
    ['invalid-time-zone', { timeZone: '' }],
    ['invalid-date', { end: '2026-12-01T10:00:00' }],
    ['invalid-date', { end: '2026-12-01T09:00:00' }],
    ['invalid-date', { start: '2026-02-30T10:00:00' }],
    ['invalid-date', { start: '2026-12-01 10:00' }],
    ['invalid-date', { start: '2026-12-01T24:00:00' }],
    ['invalid-date', { end: '2026-12-01T08:30:00Z' }],
    ['invalid-rrule', { rrule: 'FREQ=SOMETIMES' }],
    ['invalid-rrule', { rrule: 'BYDAY=MO' }],
    ['invalid-rrule', { rrule: 'FREQ=WEEKLY;BYDAY=XX' }],
    ['invalid-rrule', { rrule: 'FREQ=WEEKLY;COUNT=3\r\nX-EVIL:1' }],
    ['invalid-rrule', { rrule: 'FREQ=WEEKLY;UNTIL=20261231T100000' }],
    ['invalid-rrule', { rrule: 'FREQ=WEEKLY;COUNT=2;UNTIL=20261231' }],
    ['invalid-email', { organizer: { email: 'not an email' } }],
    ['invalid-email', { attendees: [{ email: 'a@b.fr\r\nX-EVIL:1' }] }],
    ['invalid-email', { attendees: [{ email: 'a@b.fr:mailto:c@d.fr' }] }],
    ['invalid-room', { room: { code: 'abc-defg-hij', url: 'javascript:alert(1)//abc-defg-hij' } }],
    ['invalid-room', { room: { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/other-code' } }],
  ] as const)('rejects %s: %j', (code, extra) => {
    expect(errorOf(() => buildMeetingIcs(meeting(extra as Partial<MeetingInput>))).code).toBe(code);
  });

  it('writes REQUEST and CANCEL only with an ORGANIZER (RFC 5546); PUBLISH for a file to import', () => {
    expect(errorOf(() => buildMeetingIcs(meeting(), { method: 'REQUEST' })).code).toBe('no-organizer');
    expect(errorOf(() => buildMeetingIcs(meeting(), { method: 'CANCEL' })).code).toBe('no-organizer');
    expect(parse(buildMeetingIcs(meeting(), { method: 'PUBLISH' })).calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    const organizer = { email: 'chef@interieur.gouv.fr' };
    const attendees = [{ email: 'a@numerique.gouv.fr' }];
    expect(fileMethod({})).toBe('PUBLISH');
    expect(fileMethod({ attendees })).toBe('PUBLISH');
    expect(fileMethod({ organizer })).toBe('PUBLISH');
    expect(fileMethod({ organizer, attendees: [] })).toBe('PUBLISH');
    expect(fileMethod({ organizer, attendees })).toBe('REQUEST');
  });

  it.each(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Zulu', 'UCT', 'Etc/Universal', 'Greenwich', 'Etc/GMT-0'])('writes %s as UTC times (Z) with no TZID and no VTIMEZONE', (timeZone) => {
    const ics = buildMeetingIcs(meeting({ timeZone }));
    const { calendar, event } = parse(ics);
    expect(calendar.getAllSubcomponents('vtimezone')).toHaveLength(0);
    expect(ics).not.toMatch(/TZID/);
    expect(event.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART:20261201T100000Z');
    expect(event.getFirstProperty('dtend')!.toICALString()).toBe('DTEND:20261201T110000Z');
    const offset = buildMeetingIcs(meeting({ timeZone, start: '2026-12-01T12:00:00+02:00', end: '2026-12-01T13:00:00+02:00' }));
    expect(parse(offset).event.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART:20261201T100000Z');
  });

  it.each([
    ['Indian/Reunion', '20261201T060000Z'],
    ['Indian/Mayotte', '20261201T070000Z'],
    ['America/Guadeloupe', '20261201T140000Z'],
    ['Pacific/Wallis', '20261130T220000Z'],
    ['Asia/Calcutta', '20261201T043000Z'],
    ['Asia/Kolkata', '20261201T043000Z'],
  ])('defines %s under the name the event uses (IANA link or not), at the right instant', (timeZone, utc) => {
    const ics = buildMeetingIcs(meeting({ timeZone }));
    const { calendar, event } = parse(ics);
    const zones = calendar.getAllSubcomponents('vtimezone');
    expect(zones.map((z) => [z.getFirstPropertyValue('tzid'), z.getFirstPropertyValue('x-lic-location')])).toEqual([[timeZone, timeZone]]);
    expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe(timeZone);
    // Read with that VTIMEZONE only (a fresh zone from the file, not ical.js's registry).
    const start = event.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>;
    start.zone = new ICAL.Timezone(zones[0]!);
    expect(start.convertToZone(ICAL.Timezone.utcTimezone).toICALString()).toBe(utc);
  });

  it('accepts a time zone only when Intl and the VTIMEZONE library both know it', () => {
    const ics = buildMeetingIcs(meeting({ timeZone: 'America/Cayenne' }));
    expect(parse(ics).calendar.getFirstSubcomponent('vtimezone')!.getFirstPropertyValue('tzid')).toBe('America/Cayenne');
  });
});

describe('readRoomFromIcs', () => {
  it('reads the room back from a built object', () => {
    expect(readRoomFromIcs(buildMeetingIcs(meeting()))).toEqual(room);
  });

  it('gives null for an event without a Visio room', () => {
    const ics = buildMeetingIcs(meeting());
    const plain = ics.replace(/X-VISIO-ROOM:[^\r\n]*\r\n/, '');
    expect(plain).not.toBe(ics);
    expect(readRoomFromIcs(plain)).toBeNull();
  });

  it.each([
    ['invalid-ics', 'hello'],
    ['invalid-ics', ''],
    ['invalid-ics', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n'],
    ['invalid-ics', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nthis line is broken\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'],
    ['no-event', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:1\r\nEND:VTODO\r\nEND:VCALENDAR\r\n'],
  ])('throws IcsError %s on malformed input', (code, ics) => {
    expect(errorOf(() => readRoomFromIcs(ics)).code).toBe(code);
  });
});

describe('setIcsMethod', () => {
  it('removes METHOD for stored objects and sets it for mail', () => {
    const request = buildMeetingIcs(meeting({ organizer: { email: 'chef@interieur.gouv.fr' } }), { method: 'REQUEST' });
    const stored = setIcsMethod(request, null);
    expect(stored).not.toMatch(/^METHOD:/m);
    expect(parse(stored).event.hasProperty('status')).toBe(false);
    const cancel = setIcsMethod(stored, 'CANCEL');
    expect(cancel).toMatch(/^METHOD:CANCEL\r$/m);
    expect(parse(cancel).event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(setIcsMethod(stored, 'REQUEST')).toMatch(/^METHOD:REQUEST\r$/m);
  });
});

describe('METHOD needs an organizer on patched objects too', () => {
  it('refuses REQUEST and CANCEL for an event without ORGANIZER, allows PUBLISH', () => {
    const stored = buildMeetingIcs(meeting());
    expect(errorOf(() => setIcsMethod(stored, 'REQUEST')).code).toBe('no-organizer');
    expect(errorOf(() => setIcsMethod(stored, 'CANCEL')).code).toBe('no-organizer');
    expect(errorOf(() => addRoomToIcs(stored, room, { method: 'REQUEST' })).code).toBe('no-organizer');
    expect(setIcsMethod(stored, 'PUBLISH')).toMatch(/^METHOD:PUBLISH\r$/m);
  });
});
