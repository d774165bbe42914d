import { describe, expect, it } from 'vitest';
import { buildMeetingIcs } from '../src/ics.ts';
import { expandOccurrences } from '../src/occurrences.ts';

const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };
const lines = (...l: string[]) => l.join('\r\n') + '\r\n';

// A weekly Monday 10:00 Paris series with one instance moved to 15:00 and one excluded; Windows zone name.
const SERIES = lines(
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t',
  'BEGIN:VTIMEZONE', 'TZID:Romance Standard Time',
  'BEGIN:STANDARD', 'DTSTART:16010101T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3', 'END:DAYLIGHT',
  'END:VTIMEZONE',
  'BEGIN:VEVENT', 'UID:series-1', 'DTSTAMP:20261101T000000Z',
  'DTSTART;TZID=Romance Standard Time:20261102T100000', 'DTEND;TZID=Romance Standard Time:20261102T110000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO', 'EXDATE;TZID=Romance Standard Time:20261116T100000',
  'SUMMARY:Point hebdo', 'LOCATION:https://visio.numerique.gouv.fr/abc-defg-hij', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:series-1', 'DTSTAMP:20261101T000000Z', 'RECURRENCE-ID;TZID=Romance Standard Time:20261109T100000',
  'DTSTART;TZID=Romance Standard Time:20261109T150000', 'DTEND;TZID=Romance Standard Time:20261109T160000',
  'SUMMARY:Point hebdo (décalé)', 'END:VEVENT',
  'END:VCALENDAR',
);

describe('expandOccurrences', () => {
  it('expands a series with its zone, override and exclusion', () => {
    const got = expandOccurrences(SERIES, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') });
    expect(got.map((o) => [o.start, o.title])).toEqual([
      ['2026-11-02T09:00:00.000Z', 'Point hebdo'],
      ['2026-11-09T14:00:00.000Z', 'Point hebdo (décalé)'],
      ['2026-11-23T09:00:00.000Z', 'Point hebdo'],
    ]);
    expect(got[1]!.recurrenceId).toBe('2026-11-09T09:00:00.000Z');
    expect(got[0]!.location).toContain('abc-defg-hij');
  });

  it('keeps only occurrences overlapping the window, including one already running', () => {
    const got = expandOccurrences(SERIES, { from: new Date('2026-11-09T14:30:00Z'), to: new Date('2026-11-23T09:00:00Z') });
    expect(got.map((o) => o.start)).toEqual(['2026-11-09T14:00:00.000Z']);
  });

  it('reads an IANA zone from the library (not floating time) and a single event', () => {
    const ics = buildMeetingIcs({ uid: 'one', title: 'Réunion', start: '2026-07-01T10:00:00', end: '2026-07-01T11:00:00', timeZone: 'Europe/Paris', room });
    const [o, ...rest] = expandOccurrences(ics, { from: new Date('2026-07-01T00:00:00Z'), to: new Date('2026-07-02T00:00:00Z') });
    expect(rest).toEqual([]);
    expect(o).toMatchObject({ uid: 'one', start: '2026-07-01T08:00:00.000Z', end: '2026-07-01T09:00:00.000Z', recurrenceId: null, allDay: false });
    expect(o!.links).toContain(room.url);
  });

  it('finds today\'s instance of a daily series that started decades ago', () => {
    const ics = lines('BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t', 'BEGIN:VEVENT', 'UID:old', 'DTSTAMP:19900101T000000Z',
      'DTSTART:19900101T080000Z', 'DTEND:19900101T081500Z', 'RRULE:FREQ=DAILY', 'SUMMARY:Daily', 'END:VEVENT', 'END:VCALENDAR');
    const got = expandOccurrences(ics, { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') });
    expect(got.map((o) => o.start)).toEqual(['2026-11-20T08:00:00.000Z']);
  });

  it('refuses what is not iCalendar', () => {
    expect(() => expandOccurrences('hello', { from: new Date(), to: new Date() })).toThrow(/iCalendar/);
  });
});
