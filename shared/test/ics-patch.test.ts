import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { IcsError, MAX_ADDED_TIMEZONES, addRoomToIcs, readRoomFromIcs, removeRoomFromIcs } from '../src/ics.ts';
import { removeInvitationText, renderInvitation } from '../src/invitation.ts';

const roomA = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };
const roomB = { code: 'xyz-wxyz-klm', url: 'https://visio.numerique.gouv.fr/xyz-wxyz-klm' };
const now = new Date('2026-11-20T08:30:00Z');
const later = new Date('2026-11-21T09:00:00Z');

// An Outlook-style weekly series as Thunderbird stores it: Windows VTIMEZONE, EXDATE, one moved
// occurrence, alarms, attendees with parameters, vendor X- properties and a Teams CONFERENCE.
const SERIES = [
  'BEGIN:VCALENDAR',
  'PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN',
  'VERSION:2.0',
  'X-WR-CALNAME:Agenda DINUM',
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
  'END:STANDARD',
  'END:VTIMEZONE',
  'BEGIN:VEVENT',
  'CREATED:20261001T120000Z',
  'LAST-MODIFIED:20261002T120000Z',
  'DTSTAMP:20261002T120000Z',
  'UID:040000008200E00074C5B7101A82E00800000000D0B1@example.org',
  'SUMMARY:Comité de pilotage\\, hebdo',
  'ORGANIZER;CN="Martin, Claire";SENT-BY="mailto:assistant@numerique.gouv.fr":',
  ' mailto:claire.martin@numerique.gouv.fr',
  'ATTENDEE;CN=Paul Durand;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CUTYPE=IND',
  ' IVIDUAL;RSVP=TRUE;X-NUM-GUESTS=0:mailto:paul.durand@interieur.gouv.fr',
  'ATTENDEE;CN="Salle 204";CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACT',
  ' ION:mailto:salle204@numerique.gouv.fr',
  'RRULE:FREQ=WEEKLY;UNTIL=20270301T090000Z;BYDAY=TU',
  'EXDATE;TZID=Europe/Paris:20261215T100000,20261222T100000',
  'DTSTART;TZID=Europe/Paris:20261201T100000',
  'DTEND;TZID=Europe/Paris:20261201T110000',
  'LOCATION;LANGUAGE=fr:Salle 204\\; bâtiment B',
  'DESCRIPTION;ALTREP="cid:part1.0001@example.org":Ordre du jour :\\n1. Budget\\,',
  '  planning\\n2. Divers',
  'CATEGORIES:Travail,Pilotage',
  'CLASS:PUBLIC',
  'TRANSP:OPAQUE',
  'SEQUENCE:3',
  'X-MOZ-GENERATION:4',
  'X-MOZ-SEND-INVITATIONS:TRUE',
  'X-MOZ-SEND-INVITATIONS-UNDISCLOSED:FALSE',
  'X-MICROSOFT-CDO-BUSYSTATUS:BUSY',
  'X-MICROSOFT-CDO-IMPORTANCE:1',
  'X-MICROSOFT-DONOTFORWARDMEETING:FALSE',
  'X-CUSTOM-THING;X-PARAM="a:b";OTHER=1:raw\\,text;kept',
  'CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Microsoft Teams:https://teams',
  ' .microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'TRIGGER;VALUE=DURATION:-PT15M',
  'DESCRIPTION:Rappel',
  'X-MOZ-LASTACK:20261124T090000Z',
  'END:VALARM',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'CREATED:20261001T120000Z',
  'DTSTAMP:20261002T120000Z',
  'UID:040000008200E00074C5B7101A82E00800000000D0B1@example.org',
  'RECURRENCE-ID;TZID=Europe/Paris:20261208T100000',
  'SUMMARY:Comité de pilotage (déplacé)',
  'DTSTART;TZID=Europe/Paris:20261208T140000',
  'DTEND;TZID=Europe/Paris:20261208T150000',
  'SEQUENCE:4',
  'X-MOZ-GENERATION:4',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

/** jCal of the object with SEQUENCE, DTSTAMP and LAST-MODIFIED left out of each VEVENT. */
function comparable(ics: string): unknown {
  const calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  for (const event of calendar.getAllSubcomponents('vevent')) {
    for (const name of ['sequence', 'dtstamp', 'last-modified']) event.removeAllProperties(name);
  }
  return calendar.toJSON();
}

function events(ics: string) {
  return new ICAL.Component(ICAL.parse(ics) as unknown[]).getAllSubcomponents('vevent');
}

describe('addRoomToIcs / removeRoomFromIcs on a real-world series', () => {
  const added = addRoomToIcs(SERIES, roomA, { now, lang: 'fr' });

  it('puts the room in the master and the override', () => {
    const [master, override] = events(added);
    expect(master!.getFirstProperty('location')!.getParameter('language')).toBe('fr');
    expect(master!.getFirstPropertyValue('location')).toBe(`Salle 204; bâtiment B, ${roomA.url}`);
    expect(override!.getFirstPropertyValue('location')).toBe(roomA.url);
    for (const event of [master!, override!]) {
      expect(event.getFirstPropertyValue('url')).toBe(roomA.url);
      expect(event.getFirstPropertyValue('x-visio-room')).toBe(roomA.code);
      const ours = event.getAllProperties('conference').filter((p) => p.getFirstValue() === roomA.url);
      expect(ours).toHaveLength(1);
      expect(ours[0]!.getParameter('feature')).toEqual(['AUDIO', 'VIDEO']);
    }
    const description = String(master!.getFirstPropertyValue('description'));
    expect(description).toContain(renderInvitation({ room: roomA, title: 'Comité de pilotage, hebdo' }).text);
    expect(removeInvitationText(description)).toBe('Ordre du jour :\n1. Budget, planning\n2. Divers');
    expect(master!.getFirstProperty('description')!.getParameter('altrep')).toBe('cid:part1.0001@example.org');
    // The Teams link stays.
    expect(master!.getAllProperties('conference').map((p) => p.getFirstValue())).toEqual(['https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0', roomA.url]);
    expect(readRoomFromIcs(added)).toEqual(roomA);
  });

  it('bumps SEQUENCE and sets a UTC DTSTAMP on every changed VEVENT', () => {
    const [master, override] = events(added);
    expect(master!.getFirstPropertyValue('sequence')).toBe(4);
    expect(override!.getFirstPropertyValue('sequence')).toBe(5);
    expect(added).toContain('DTSTAMP:20261120T083000Z');
    expect(added).not.toContain('DTSTAMP:20261002T120000Z');
    expect(added).toContain('LAST-MODIFIED:20261120T083000Z');
  });

  it('keeps everything else: remove after add gives the original back', () => {
    const removed = removeRoomFromIcs(added, { now: later });
    expect(comparable(removed)).toEqual(comparable(SERIES));
    expect(readRoomFromIcs(removed)).toBeNull();
    expect(removed).toContain('LOCATION;LANGUAGE=fr:Salle 204\\; bâtiment B\r\n');
    expect(events(removed)[0]!.getFirstPropertyValue('sequence')).toBe(5);
  });

  it('adding the same room twice is adding it once (and changes nothing)', () => {
    const twice = addRoomToIcs(added, roomA, { now: later, lang: 'fr' });
    expect(twice).toBe(added);
  });

  it('replaces room A by room B everywhere', () => {
    const replaced = addRoomToIcs(added, roomB, { now: later });
    expect(replaced).not.toContain(roomA.url);
    expect(replaced).not.toContain(roomA.code);
    expect(comparable(replaced)).toEqual(comparable(addRoomToIcs(SERIES, roomB, { now })));
    const [master] = events(replaced);
    expect(master!.getFirstPropertyValue('location')).toBe(`Salle 204; bâtiment B, ${roomB.url}`);
    expect(readRoomFromIcs(replaced)).toEqual(roomB);
    expect(comparable(removeRoomFromIcs(replaced))).toEqual(comparable(SERIES));
  });

  it('sets METHOD:REQUEST only when asked', () => {
    expect(added).not.toMatch(/^METHOD:/m);
    expect(addRoomToIcs(SERIES, roomA, { now, method: 'REQUEST' })).toMatch(/^METHOD:REQUEST\r$/m);
    // RFC 5546: every VEVENT of a REQUEST names the organizer; the override without one gets the series'.
    for (const event of events(addRoomToIcs(SERIES, roomA, { now, method: 'REQUEST' }))) {
      expect(event.getFirstPropertyValue('organizer')).toBe('mailto:claire.martin@numerique.gouv.fr');
    }
  });

  it('removal is a no-op on an object without a room', () => {
    expect(removeRoomFromIcs(SERIES, { now })).toBe(SERIES);
  });
});

describe('links other tools left', () => {
  it('with instanceUrl, strips a Visio link that lost its X-VISIO-ROOM', () => {
    const stripped = addRoomToIcs(SERIES, roomA, { now }).replace(/X-VISIO-ROOM:[^\r\n]*\r\n/g, '');
    const removed = removeRoomFromIcs(stripped, { instanceUrl: 'https://visio.numerique.gouv.fr' });
    expect(comparable(removed)).toEqual(comparable(SERIES));
  });

  it('keeps a foreign URL rather than overwrite it, and keeps it on removal', () => {
    const withUrl = SERIES.replace('CLASS:PUBLIC\r\n', 'CLASS:PUBLIC\r\nURL:https://intranet.example.org/copil\r\n');
    const added = addRoomToIcs(withUrl, roomA, { now });
    expect(
      events(added)[0]!
        .getAllProperties('url')
        .map((p) => p.getFirstValue()),
    ).toEqual(['https://intranet.example.org/copil']);
    expect(readRoomFromIcs(added)).toEqual(roomA);
    expect(comparable(removeRoomFromIcs(added))).toEqual(comparable(withUrl));
  });
});

describe('time zones', () => {
  it('adds the missing VTIMEZONE for a TZID in use, before the events', () => {
    const noZone = SERIES.replace(/BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r\n/, '');
    expect(noZone).not.toContain('VTIMEZONE');
    const calendar = new ICAL.Component(ICAL.parse(addRoomToIcs(noZone, roomA, { now })) as unknown[]);
    const [first] = calendar.getAllSubcomponents();
    expect(first!.name).toBe('vtimezone');
    expect(first!.getFirstPropertyValue('tzid')).toBe('Europe/Paris');
    const start = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!).startDate;
    expect(start.toJSDate().toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('adds a linked zone under its own name, and at most MAX_ADDED_TIMEZONES zones for an object naming hundreds', () => {
    const reunion = SERIES.replace(/BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r\n/, '').replaceAll('Europe/Paris', 'Indian/Reunion');
    const patched = new ICAL.Component(ICAL.parse(addRoomToIcs(reunion, roomA, { now })) as unknown[]);
    expect(patched.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Indian/Reunion']);
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 200);
    const hostile = SERIES.replace(/BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r\n/, '').replace(
      /^EXDATE;.*$/m,
      zones.map((zone, i) => `EXDATE;TZID=${zone}:2027${String(1 + (i % 12)).padStart(2, '0')}01T100000`).join('\r\n'),
    );
    expect(addRoomToIcs(hostile, roomA, { now }).match(/BEGIN:VTIMEZONE/g)).toHaveLength(MAX_ADDED_TIMEZONES);
  });

  it('adds no VTIMEZONE when the object defines it, nor for a non-IANA TZID it cannot know', () => {
    const windows = SERIES.replaceAll('Europe/Paris', 'Romance Standard Time');
    const out = addRoomToIcs(windows, roomA, { now });
    expect(out.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
    expect(addRoomToIcs(SERIES, roomA, { now }).match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
  });
});

describe('bad input', () => {
  it.each([
    ['invalid-ics', 'not a calendar'],
    ['invalid-ics', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\n'],
    ['invalid-ics', SERIES.replace('CLASS:PUBLIC', 'CLASS PUBLIC')],
    ['no-event', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n'],
  ])('%s', (code, ics) => {
    for (const run of [() => addRoomToIcs(ics, roomA), () => removeRoomFromIcs(ics)]) {
      let error: unknown;
      try {
        run();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(IcsError);
      expect((error as IcsError).code).toBe(code);
    }
  });

  it('rejects a bad room before touching anything', () => {
    expect(() => addRoomToIcs(SERIES, { code: 'abc-defg-hij', url: 'https://x.fr/a b/abc-defg-hij' })).toThrow(IcsError);
  });
});
