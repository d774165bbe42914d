/**
 * Every IANA zone, read back by two independent readers: Python icalendar and libical (C, through
 * GObject introspection). For each zone Intl lists, and each link name IANA keeps (`Indian/Reunion`,
 * `Asia/Calcutta`, `Zulu`…), a winter and a summer meeting must give the instant Intl computes (the
 * gateway's and the browsers' own answer), resolved through the file's own VTIMEZONE (not the
 * readers' built-in zones), and every TZID used must be defined under that name.
 * Needs Debian's python3-icalendar, gir1.2-ical-3.0 and python3-gi; without them the test fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tzlib_get_timezones } from 'timezones-ical-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMeetingIcs } from '../src/ics.ts';
import { isSupportedTimeZone, isUtcZone } from '../src/timezone.ts';

const PYTHON = '/usr/bin/python3';
const READERS = { icalendar: 'icalendar_instants.py', libical: 'libical_instants.py' } as const;
const WALL_TIMES = [
  ['2026-01-15T10:00:00', '2026-01-15T11:30:00'],
  ['2026-07-15T10:00:00', '2026-07-15T11:30:00'],
] as const;
const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };

interface Read {
  used?: string[];
  defined?: string[];
  times?: number[];
  error?: string;
}

const intlZones = Intl.supportedValuesOf('timeZone');
const zones = [...new Set([...intlZones, ...(tzlib_get_timezones() as string[]), 'UTC'])].filter(isSupportedTimeZone).sort();

/** The UTC instant (ms) of a wall-clock time in `zone`, by Intl's own zone data. */
function intlInstant(wall: string, zone: string): number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const offset = (t: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - t;
  };
  const asUtc = Date.parse(`${wall}Z`);
  return asUtc - offset(asUtc - offset(asUtc));
}

const dir = mkdtempSync(join(tmpdir(), 'visio-zones-'));
const files: { name: string; zone: string; expected: number[] }[] = [];
const read: Record<keyof typeof READERS, Record<string, Read>> = { icalendar: {}, libical: {} };

beforeAll(() => {
  zones.forEach((zone, i) => {
    WALL_TIMES.forEach(([start, end], j) => {
      const name = `z${String(i).padStart(4, '0')}-${j}.ics`;
      writeFileSync(join(dir, name), buildMeetingIcs({ uid: `${zone}-${j}`, title: zone, start, end, timeZone: zone, room }));
      files.push({ name, zone, expected: [intlInstant(start, zone), intlInstant(end, zone)] });
    });
  });
  // One process per reader for all the files: a process per zone would take minutes.
  for (const [reader, script] of Object.entries(READERS) as [keyof typeof READERS, string][]) {
    const output = execFileSync(PYTHON, [join(import.meta.dirname, 'readers', script), dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    read[reader] = JSON.parse(output) as Record<string, Read>;
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every IANA zone, read by Python icalendar and libical', () => {
  it('covers every zone Intl lists, the link names and the UTC aliases', () => {
    expect(intlZones.filter((z) => !isSupportedTimeZone(z))).toEqual([]);
    expect(zones.length).toBeGreaterThan(intlZones.length);
    for (const z of ['Indian/Reunion', 'Indian/Mayotte', 'America/Guadeloupe', 'Pacific/Wallis', 'Asia/Calcutta', 'Etc/UTC', 'Zulu', 'UCT', 'Etc/GMT']) {
      expect(zones).toContain(z);
    }
    expect(files).toHaveLength(zones.length * WALL_TIMES.length);
  });

  for (const reader of Object.keys(READERS) as (keyof typeof READERS)[]) {
    it(`${reader}: same instant as Intl for every zone, every TZID defined under its own name`, () => {
      const wrong: string[] = [];
      for (const { name, zone, expected } of files) {
        const got = read[reader][name];
        const utc = isUtcZone(zone);
        const want = { used: utc ? [] : [zone], defined: utc ? [] : [zone], times: expected.map((t) => t / 1000) };
        const have = got && { used: got.used, defined: got.defined, times: got.times };
        if (JSON.stringify(have) !== JSON.stringify(want)) wrong.push(`${zone}: ${got?.error ?? JSON.stringify(have)} (expected ${JSON.stringify(want)})`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('the two readers agree with each other', () => {
    const disagree = files.filter(({ name }) => JSON.stringify(read.icalendar[name]) !== JSON.stringify(read.libical[name])).map((f) => f.zone);
    expect(disagree).toEqual([]);
  });
});
