/**
 * Thunderbird (Debian's 153 ESR, its own ICS parser and time-zone service) reads the gateway's files:
 * every zone name, links and UTC aliases included, lands on the instant Intl gives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addRoomToIcs, buildMeetingIcs } from '@visio/shared/ics';
import { enableCalendars, launchThunderbird, type Thunderbird } from '@visio/testing/thunderbird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ZONES = [
  'Europe/Paris',
  'Indian/Reunion',
  'Indian/Mayotte',
  'America/Guadeloupe',
  'Pacific/Wallis',
  'Asia/Calcutta',
  'America/Miquelon',
  'Pacific/Noumea',
  'America/Cayenne',
  'Etc/UTC',
  'Zulu',
  'UCT',
  'Etc/GMT',
];
const WALL = ['2026-12-15T10:00:00', '2027-07-15T10:00:00'];
const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };

function intlInstant(wall: string, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const offset = (t: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - t;
  };
  const asUtc = Date.parse(`${wall}Z`);
  return new Date(asUtc - offset(asUtc - offset(asUtc))).toISOString();
}

const PARSE = `
  const { CalIcsParser } = ChromeUtils.importESModule("resource:///modules/CalIcsParser.sys.mjs");
  return arguments[0].map((ics) => {
    const parser = new CalIcsParser();
    parser.parseString(ics);
    const [item] = parser.getItems();
    return { start: new Date(item.startDate.nativeTime / 1000).toISOString(), tz: item.startDate.timezone.tzid, title: item.title };
  });
`;

let tb: Thunderbird;
beforeAll(async () => {
  tb = await launchThunderbird();
  await enableCalendars(tb);
}, 120_000);
afterAll(async () => {
  await tb?.close();
});

describe('Thunderbird reads our .ics files', () => {
  it('at the instant Intl gives, for French overseas zones, IANA links and UTC aliases', async () => {
    const cases = ZONES.flatMap((timeZone) => WALL.map((start) => ({ timeZone, start })));
    const files = cases.map(({ timeZone, start }) => buildMeetingIcs({ uid: `${timeZone}-${start}`, title: timeZone, start, end: start.replace('T10', 'T11'), timeZone, room }, { method: 'PUBLISH' }));
    const read = await tb.chrome<{ start: string; tz: string; title: string }[]>(PARSE, files);
    expect(read.map((r, i) => [cases[i]!.timeZone, r.start])).toEqual(cases.map(({ timeZone, start }) => [timeZone, intlInstant(start, timeZone)]));
    for (const [i, r] of read.entries()) expect(r.title).toBe(cases[i]!.timeZone);
  }, 60_000);
});

const OCCURRENCES = `
  const { CalIcsParser } = ChromeUtils.importESModule("resource:///modules/CalIcsParser.sys.mjs");
  const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs");
  const parser = new CalIcsParser();
  parser.parseString(arguments[0]);
  const [item] = parser.getItems();
  const from = cal.createDateTime("20260101T000000Z");
  const to = cal.createDateTime("20280101T000000Z");
  return {
    alarms: item.getAlarms().length,
    occurrences: item.recurrenceInfo.getOccurrences(from, to, 0).map((o) => ({
      start: new Date(o.startDate.nativeTime / 1000).toISOString(),
      title: o.title,
      location: o.getProperty("LOCATION"),
      alarms: o.getAlarms().length,
    })),
  };
`;

describe('Thunderbird reads the client fixtures after Visio was added', () => {
  const fixtures = join(import.meta.dirname, 'fixtures', 'calendar');
  it.each([
    // Weekly on Tuesdays from 5 January 2027 at 10:00 Paris, 8 times, the 19th cancelled, the 12th moved to 14:00.
    ['thunderbird-153-series.ics', ['2027-01-05T09:00', '2027-01-12T13:00', '2027-01-26T09:00', '2027-02-02T09:00', '2027-02-09T09:00', '2027-02-16T09:00', '2027-02-23T09:00']],
    // First Thursday monthly from 7 January 2027 at 9:30 Paris, 6 times, March cancelled, February moved to Friday 14:00.
    ['outlook-exchange2010-series.ics', ['2027-01-07T08:30', '2027-02-05T13:00', '2027-04-01T07:30', '2027-05-06T07:30', '2027-06-03T07:30']],
  ])(
    '%s: every occurrence where it was, each with the room and its alarm',
    async (file, starts) => {
      const patched = addRoomToIcs(readFileSync(join(fixtures, file), 'utf8'), room);
      const read = await tb.chrome<{ alarms: number; occurrences: { start: string; title: string; location: string; alarms: number }[] }>(OCCURRENCES, patched);
      expect(read.occurrences.map((o) => o.start.slice(0, 16))).toEqual(starts);
      for (const o of read.occurrences) {
        expect(o.location).toContain(room.url);
        expect(o.alarms).toBe(1);
      }
      expect(read.occurrences.filter((o) => /décalé/.test(o.title))).toHaveLength(1);
    },
    60_000,
  );
});
