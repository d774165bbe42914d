import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { vtimezoneText } from '../src/vtimezone.ts';

const observances = (text: string) =>
  [...text.matchAll(/BEGIN:(STANDARD|DAYLIGHT)\r\n([\s\S]*?)END:\1/g)].map(
    (m) =>
      Object.fromEntries(
        m[2]!
          .trim()
          .split('\r\n')
          .map((l) => l.split(/:(.*)/s).slice(0, 2)),
      ) as Record<string, string>,
  );

describe('vtimezoneText (from Intl)', () => {
  it('writes a yearly zone as two RRULE observances after the offset in force in 2000', () => {
    const text = vtimezoneText('Europe/Paris');
    expect(text).toMatch(/^BEGIN:VTIMEZONE\r\nTZID:Europe\/Paris\r\nX-LIC-LOCATION:Europe\/Paris\r\n/);
    expect(observances(text)).toEqual([
      { TZOFFSETFROM: '+0100', TZOFFSETTO: '+0100', DTSTART: '20000101T010000' },
      { TZOFFSETFROM: '+0100', TZOFFSETTO: '+0200', DTSTART: '20000326T020000', RRULE: 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU' },
      { TZOFFSETFROM: '+0200', TZOFFSETTO: '+0100', DTSTART: '20001029T030000', RRULE: 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU' },
    ]);
  });

  it('lists the changes before the current rules one per observance (no RDATE, which ical.js misreads)', () => {
    const text = vtimezoneText('America/Miquelon');
    expect(text).not.toContain('RDATE');
    const rules = observances(text).filter((o) => o.RRULE);
    expect(rules.map((o) => o.RRULE)).toEqual(['FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'FREQ=YEARLY;BYMONTH=11;BYDAY=1SU']);
    expect(rules[0]!.DTSTART).toBe('20070311T020000');
  });

  it('describes "Friday on or after the 23rd" (Israel) with BYMONTHDAY', () => {
    expect(
      observances(vtimezoneText('Asia/Jerusalem'))
        .map((o) => o.RRULE)
        .filter(Boolean),
    ).toContain('FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=23,24,25,26,27,28,29;BYDAY=FR');
  });

  it('names the block after the name asked for, and gives a fixed zone one observance', () => {
    const text = vtimezoneText('Indian/Reunion', 'Indian/Reunion');
    expect(text).toContain('TZID:Indian/Reunion\r\n');
    expect(observances(text)).toEqual([{ TZOFFSETFROM: '+0400', TZOFFSETTO: '+0400', DTSTART: '20000101T040000' }]);
  });

  it('throws for a zone Intl does not know', () => {
    expect(() => vtimezoneText('Europe/Atlantis')).toThrow();
  });
});

describe('vtimezoneText matches Intl every day from 2000 to 2045', () => {
  // Zones with close, irregular or unusual changes: Ramadan breaks, half hours, +2 jumps, abolished DST.
  const zones = [
    'Africa/Casablanca',
    'Asia/Gaza',
    'Asia/Hebron',
    'Africa/Cairo',
    'Asia/Amman',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Asia/Tehran',
    'Antarctica/Troll',
    'Pacific/Apia',
    'America/Miquelon',
    'Europe/Paris',
    'Asia/Jerusalem',
    'Pacific/Chatham',
    'America/Sao_Paulo',
  ];
  it.each(zones)(
    '%s',
    (timeZone) => {
      const zone = new ICAL.Timezone(new ICAL.Component(ICAL.parse(vtimezoneText(timeZone)) as unknown[]));
      const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
      const intl = (t: number) => {
        const m = /GMT(?:([+-])(\d\d):(\d\d))?$/.exec(format.format(t))!;
        return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
      };
      const wrong: string[] = [];
      // Noon UTC each day: never inside a change's local hour for these zones.
      for (let t = Date.UTC(2000, 0, 1, 12); t < Date.UTC(2046, 0, 1); t += 86_400_000) {
        const offset = intl(t);
        const wall = ICAL.Time.fromJSDate(new Date(t + offset * 1000), true);
        const local = new ICAL.Time({ year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute, second: 0 }, zone);
        if (zone.utcOffset(local) !== offset) wrong.push(new Date(t).toISOString().slice(0, 10));
      }
      expect(wrong).toEqual([]);
    },
    60_000,
  );
});
