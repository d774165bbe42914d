/**
 * A series that ends on a date (`UNTIL=20270302`, as agents and calendar UIs write it) with a zoned or UTC
 * start. RFC 5545 3.3.10 wants UNTIL as a UTC date-time then; left a date, libical (Evolution, GNOME,
 * KOrganizer's readers) drops the last occurrence. The file gets the end of that day in the event's zone, and
 * ical.js and libical (Debian's gir1.2-ical-3.0, run for real) both give the same occurrences, the last on
 * that day. Needs python3-gi and gir1.2-ical-3.0; without them the test fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMeetingIcs, IcsError } from '../src/ics.ts';
import { zonedToUtc } from '../src/schedule.ts';

const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };
const ZONES = ['Indian/Reunion', 'UTC', 'Europe/Paris', 'America/Cayenne', 'Pacific/Noumea', 'Pacific/Tahiti'];
const dir = mkdtempSync(join(tmpdir(), 'visio-until-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Tuesdays 09:00 from 5 January 2027 through Tuesday 2 March: nine meetings. */
const series = (timeZone: string) =>
  buildMeetingIcs({ uid: `until-${timeZone}`, title: 'Hebdo', start: '2027-01-05T09:00:00', end: '2027-01-05T09:30:00', timeZone, rrule: 'FREQ=WEEKLY;UNTIL=20270302', room });
const EXPECTED = ['20270105', '20270112', '20270119', '20270126', '20270202', '20270209', '20270216', '20270223', '20270302'].map((d) => `${d}T090000`);

function icalJsOccurrences(ics: string): string[] {
  const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!);
  const it = event.iterator();
  const out: string[] = [];
  for (let t = it.next(); t && out.length < 1000; t = it.next()) out.push(t.toICALString().replace(/Z$/, ''));
  return out;
}

describe('a series ending on a date', () => {
  it.each(ZONES)('%s: UNTIL is the end of that day in UTC, and ical.js and libical give the nine meetings', (zone) => {
    const ics = series(zone);
    const until = /UNTIL=([0-9TZ]+)/.exec(ics)![1]!;
    // 23:59:59 on 2 March in the zone, by Intl's zone data (the file's VTIMEZONE comes from another source).
    expect(until).toBe(
      `${zonedToUtc('2027-03-02T23:59:59', zone)
        .toISOString()
        .replace(/[-:]|\.\d+/g, '')}`,
    );
    expect(icalJsOccurrences(ics)).toEqual(EXPECTED);
    const file = `${zone.replace(/\W/g, '_')}.ics`;
    writeFileSync(join(dir, file), ics);
    const read = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'readers', 'libical_occurrences.py'), dir], { encoding: 'utf8' })) as Record<
      string,
      { occurrences?: string[]; error?: string }
    >;
    expect(read[file]).toEqual({ occurrences: EXPECTED });
  });

  it('refuses a date that is not one', () => {
    expect(() => buildMeetingIcs({ title: 'x', start: '2027-01-05T09:00:00', end: '2027-01-05T09:30:00', timeZone: 'UTC', rrule: 'FREQ=WEEKLY;UNTIL=20270230', room })).toThrow(IcsError);
  });
});
