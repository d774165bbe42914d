import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMeetingIcs } from '../src/ics.ts';
import { expandOccurrences, ExpansionLimitError } from '../src/occurrences.ts';

const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };
const lines = (...l: string[]) => l.join('\r\n') + '\r\n';

// A weekly Monday 10:00 Paris series with one instance moved to 15:00 and one excluded; Windows zone name.
const SERIES = lines(
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//t//t',
  'BEGIN:VTIMEZONE',
  'TZID:Romance Standard Time',
  'BEGIN:STANDARD',
  'DTSTART:16010101T030000',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010101T020000',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
  'BEGIN:VEVENT',
  'UID:series-1',
  'DTSTAMP:20261101T000000Z',
  'DTSTART;TZID=Romance Standard Time:20261102T100000',
  'DTEND;TZID=Romance Standard Time:20261102T110000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO',
  'EXDATE;TZID=Romance Standard Time:20261116T100000',
  'SUMMARY:Point hebdo',
  'LOCATION:https://visio.numerique.gouv.fr/abc-defg-hij',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:series-1',
  'DTSTAMP:20261101T000000Z',
  'RECURRENCE-ID;TZID=Romance Standard Time:20261109T100000',
  'DTSTART;TZID=Romance Standard Time:20261109T150000',
  'DTEND;TZID=Romance Standard Time:20261109T160000',
  'SUMMARY:Point hebdo (décalé)',
  'END:VEVENT',
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

  it("finds today's instance of a daily series that started decades ago", () => {
    const ics = lines(
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//t//t',
      'BEGIN:VEVENT',
      'UID:old',
      'DTSTAMP:19900101T000000Z',
      'DTSTART:19900101T080000Z',
      'DTEND:19900101T081500Z',
      'RRULE:FREQ=DAILY',
      'SUMMARY:Daily',
      'END:VEVENT',
      'END:VCALENDAR',
    );
    const got = expandOccurrences(ics, { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') });
    expect(got.map((o) => o.start)).toEqual(['2026-11-20T08:00:00.000Z']);
  });

  it('refuses what is not iCalendar', () => {
    expect(() => expandOccurrences('hello', { from: new Date(), to: new Date() })).toThrow(/iCalendar/);
  });
});

const series = (rrule: string, dtstart: string, extra: string[] = [], end = '') =>
  lines(
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//t//t',
    'BEGIN:VEVENT',
    'UID:s',
    'DTSTAMP:20250101T000000Z',
    `DTSTART${dtstart}`,
    ...(end ? [`DTEND${end}`] : []),
    `RRULE:${rrule}`,
    'SUMMARY:S',
    'END:VEVENT',
    ...extra,
    'END:VCALENDAR',
  );

describe('expandOccurrences on hostile series: it jumps to the window and stays within its budget', () => {
  const from = new Date('2026-12-01T10:00:00Z');
  const to = new Date('2026-12-01T10:00:05Z');

  it('a secondly series that began a year ago gives the seconds of the window, after a few steps', () => {
    const got = expandOccurrences(series('FREQ=SECONDLY', ':20251201T100000Z', [], ':20251201T100001Z'), { from, to, maxIterations: 100 });
    expect(got.map((o) => o.start)).toEqual([0, 1, 2, 3, 4].map((s) => `2026-12-01T10:00:0${s}.000Z`));
  });

  it('a huge COUNT is counted, not walked: the series still runs, or has ended', () => {
    const running = series('FREQ=SECONDLY;COUNT=999999999', ':20251201T100000Z', [], ':20251201T100001Z');
    expect(expandOccurrences(running, { from, to, maxIterations: 100 })).toHaveLength(5);
    // 31 536 000 seconds from 2025-12-01T10:00:00Z is exactly `from`: the 31 536 001st instance is its first second.
    const ended = series('FREQ=SECONDLY;COUNT=31536002', ':20251201T100000Z', [], ':20251201T100001Z');
    expect(expandOccurrences(ended, { from, to, maxIterations: 100 }).map((o) => o.start)).toEqual(['2026-12-01T10:00:00.000Z', '2026-12-01T10:00:01.000Z']);
  });

  it('a minutely series with BYSETPOS starting long ago is jumped too', () => {
    const got = expandOccurrences(series('FREQ=MINUTELY;INTERVAL=7;BYSETPOS=1', ':20200101T000000Z', [], ':20200101T000030Z'), {
      from: new Date('2026-12-01T10:00:00Z'),
      to: new Date('2026-12-01T11:00:00Z'),
      maxIterations: 200,
    });
    expect(got.length).toBeGreaterThanOrEqual(8);
    expect(got.every((o) => (Date.parse(o.start) - Date.parse('2020-01-01T00:00:00Z')) % (7 * 60_000) === 0)).toBe(true);
  });

  it('reports a series over its occurrence, step or time budget instead of returning part of it', () => {
    const secondly = series('FREQ=SECONDLY', ':20261201T000000Z');
    const day = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') };
    expect(() => expandOccurrences(secondly, { ...day, maxOccurrences: 1000 })).toThrow(ExpansionLimitError);
    const sparse = series('FREQ=SECONDLY;BYHOUR=23;BYMINUTE=59;BYSECOND=59', ':20261201T000000Z');
    expect(() => expandOccurrences(sparse, { from: day.from, to: new Date('2026-12-11T00:00:00Z'), maxIterations: 5 })).toThrow(/recurrence steps/);
    expect(() => expandOccurrences(secondly, { ...day, deadline: performance.now() - 1 })).toThrow(/time budget/);
  });

  it('finds an override moved into the window from an instance long before or after it', () => {
    const moved = (id: string, start: string) => ['BEGIN:VEVENT', 'UID:s', 'DTSTAMP:20250101T000000Z', `RECURRENCE-ID:${id}`, `DTSTART:${start}`, 'DURATION:PT1H', 'SUMMARY:Moved', 'END:VEVENT'];
    const ics = series('FREQ=DAILY', ':20200101T080000Z', [...moved('20200105T080000Z', '20261201T150000Z'), ...moved('20300101T080000Z', '20261201T170000Z')], ':20200101T090000Z');
    const got = expandOccurrences(ics, { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z'), maxIterations: 100 });
    expect(got.map((o) => [o.start, o.title])).toEqual([
      ['2026-12-01T08:00:00.000Z', 'S'],
      ['2026-12-01T15:00:00.000Z', 'Moved'],
      ['2026-12-01T17:00:00.000Z', 'Moved'],
    ]);
  });

  it('gives the same occurrences as a walk from DTSTART, for any rule (property)', () => {
    const zones = [':', ';TZID=Europe/Paris:', ';TZID=America/New_York:', ';VALUE=DATE:'];
    fc.assert(
      fc.property(
        fc.constantFrom('SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('', ';BYSETPOS=1', ';BYHOUR=3,10', ';BYDAY=MO,FR', ';BYMONTHDAY=1,15,-1', ';BYMONTH=3,10', ';COUNT=200', ';COUNT=50000', ';UNTIL=20270101T000000Z'),
        fc.constantFrom(...zones),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 60 * 24 * 40 }),
        (freq, interval, part, zone, back, offsetMinutes) => {
          const date = zone.includes('DATE');
          if (date && (freq === 'SECONDLY' || freq === 'MINUTELY' || freq === 'HOURLY' || part.includes('BYHOUR') || part.includes('UNTIL'))) return;
          const windowFrom = new Date(Date.parse('2026-10-01T00:00:00Z') + offsetMinutes * 60_000);
          // Started up to a few thousand periods before the window, so that the walk stays short.
          const span = { SECONDLY: 3000e3, MINUTELY: 3 * DAY, HOURLY: 60 * DAY }[freq as 'HOURLY'] ?? 3 * 365 * DAY;
          const startDate = new Date(Math.floor((windowFrom.getTime() - back * span) / 1000) * 1000);
          const stamp =
            startDate
              .toISOString()
              .replace(/[-:]/g, '')
              .slice(0, date ? 8 : 15) + (zone === ':' ? 'Z' : '');
          const ics = series(`FREQ=${freq};INTERVAL=${interval}${part}`, `${zone}${stamp}`);
          const windowTo = new Date(windowFrom.getTime() + (['SECONDLY', 'MINUTELY'].includes(freq) ? 600_000 : 14 * DAY));
          const options = { maxOccurrences: 100_000, maxIterations: 10_000_000 };
          let walked;
          try {
            walked = expandOccurrences(ics, { from: new Date('2000-01-01T00:00:00Z'), to: windowTo, ...options, deadline: performance.now() + 100 }).filter(
              (o) => Date.parse(o.start) < windowTo.getTime() && Date.parse(o.end) > windowFrom.getTime(),
            );
          } catch (error) {
            // A rule ical.js refuses (BYMONTHDAY in a WEEKLY rule) is refused whichever way it is read.
            if (!(error instanceof ExpansionLimitError)) expect(() => expandOccurrences(ics, { from: windowFrom, to: windowTo, ...options })).toThrow((error as Error).message);
            return;
          }
          let jumped;
          try {
            jumped = expandOccurrences(ics, { from: windowFrom, to: windowTo, ...options, deadline: performance.now() + 100 });
          } catch (error) {
            // A rule whose every step is costly inside ical.js (SECONDLY with BYHOUR) may not finish in time on a loaded machine.
            if (error instanceof ExpansionLimitError) return;
            throw error;
          }
          expect(jumped.map((o) => o.start)).toEqual(walked.map((o) => o.start));
        },
      ),
      { numRuns: 120 },
    );
  }, 120_000);
});

const DAY = 86_400_000;
