/**
 * Thunderbird (Debian's 153 ESR, its own ICS parser and time-zone service) reads the gateway's files:
 * every zone name, links and UTC aliases included, lands on the instant Intl gives.
 */
import { buildMeetingIcs } from '@visio/shared/ics';
import { enableCalendars, launchThunderbird, type Thunderbird } from '@visio/testing/thunderbird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ZONES = ['Europe/Paris', 'Indian/Reunion', 'Indian/Mayotte', 'America/Guadeloupe', 'Pacific/Wallis', 'Asia/Calcutta', 'America/Miquelon', 'Pacific/Noumea', 'America/Cayenne', 'Etc/UTC', 'Zulu', 'UCT', 'Etc/GMT'];
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
