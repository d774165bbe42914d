/**
 * VTIMEZONE text for an IANA zone, computed from the runtime's own zone data (Intl), so the file says
 * exactly what the gateway and the clients compute: same database, same instants.
 *
 * Offsets are sampled from 2000 to 2046 and each change located to the second. The changes of the
 * years the zone follows one yearly pair of rules (Europe: last Sunday of March and October) become
 * two RRULE observances, which every reader (Outlook included) understands and which carry the rule
 * on past 2046; other changes (history, Morocco's Ramadan, a permanent change) are listed one by one
 * (RDATE). The result is checked against Intl before use; where no rule fits, every change is listed.
 */
import ICAL from 'ical.js';

const FROM = Date.UTC(2000, 0, 1);
const TO = Date.UTC(2046, 0, 1);
// Offsets are sampled every STEP: two changes closer than that would be missed (the closest in IANA's
// data since 2000 are Palestine's predicted Ramadan breaks, a week long; vtimezone.test.ts checks them
// day by day); each change is then located to the minute.
const STEP = 7 * 86_400_000;
const MINUTE = 60_000;
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface Change {
  /** UTC instant (ms) of the first second of the new offset. */
  at: number;
  /** Offsets in seconds east of UTC, before and after. */
  from: number;
  to: number;
}

type OffsetAt = (t: number) => number;

function offsetReader(timeZone: string): OffsetAt {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  return (t) => {
    const match = /GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(format.format(t));
    if (!match) throw new Error(`Unreadable offset for ${timeZone}: ${format.format(t)}`);
    if (!match[1]) return 0;
    const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
    return match[1] === '-' ? -seconds : seconds;
  };
}

/** Every offset change in [FROM, TO): samples every STEP, then a binary search to the minute. */
function changes(offsetAt: OffsetAt): Change[] {
  const found: Change[] = [];
  let before = FROM;
  let offset = offsetAt(FROM);
  for (let t = FROM + STEP; t < TO + STEP; t += STEP) {
    const next = offsetAt(t);
    if (next === offset) {
      before = t;
      continue;
    }
    let low = before;
    let high = t;
    while (high - low > MINUTE) {
      const middle = low + Math.floor((high - low) / (2 * MINUTE)) * MINUTE;
      if (offsetAt(middle) === offset) low = middle;
      else high = middle;
    }
    found.push({ at: high, from: offset, to: next });
    offset = next;
    before = t;
  }
  return found;
}

/** The local wall time of a change, in the offset in force before it (RFC 5545 3.6.5). */
function localStart(change: Change): Date {
  return new Date(change.at + change.from * 1000);
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:]/g, '');

function offsetText(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = abs % 60 ? String(abs % 60).padStart(2, '0') : '';
  return `${sign}${hh}${mm}${ss}`;
}

/** The BYxxx parts that give exactly these days (same month, same weekday), or null. */
function dayRule(days: Date[]): string | null {
  const weekday = days[0]!.getUTCDay();
  if (days.some((d) => d.getUTCDay() !== weekday)) return null;
  const code = DAYS[weekday]!;
  const nth = days.map((d) => Math.ceil(d.getUTCDate() / 7));
  if (nth.every((n) => n === nth[0])) return `BYDAY=${nth[0]}${code}`;
  const last = (d: Date) => d.getUTCDate() + 7 > new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  if (days.every(last)) return `BYDAY=-1${code}`;
  const first = Math.min(...days.map((d) => d.getUTCDate()));
  // "Friday on or after the 23rd" (Israel): seven days, one of which is that weekday.
  const shortest = Math.min(...days.map((d) => new Date(Date.UTC(2001, d.getUTCMonth() + 1, 0)).getUTCDate()));
  if (days.every((d) => d.getUTCDate() - first < 7) && first + 6 <= shortest) {
    return `BYMONTHDAY=${Array.from({ length: 7 }, (_, i) => first + i).join(',')};BYDAY=${code}`;
  }
  return null;
}

interface Rule {
  changes: Change[];
  rrule: string;
}

/** Two yearly rules that give every change from `start` on, one of each per year to 2045, or null. */
function yearlyRules(list: Change[], start: number): Rule[] | null {
  const tail = list.slice(start);
  const firstYear = localStart(tail[0]!).getUTCFullYear();
  const years = new Date(TO - 1).getUTCFullYear() - firstYear + 1;
  if (years < 5 || tail.length !== 2 * years) return null;
  const rules: Rule[] = [];
  for (const parity of [0, 1]) {
    const group = tail.filter((_, i) => i % 2 === parity);
    const starts = group.map(localStart);
    const same = (f: (c: Change, d: Date) => unknown) => group.every((c, i) => f(c, starts[i]!) === f(group[0]!, starts[0]!));
    if (!same((c) => c.from) || !same((c) => c.to) || !same((_, d) => d.getUTCMonth()) || !same((_, d) => d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds())) return null;
    if (starts.some((d, i) => d.getUTCFullYear() !== firstYear + i)) return null;
    const days = dayRule(starts);
    if (!days) return null;
    rules.push({ changes: group, rrule: `FREQ=YEARLY;BYMONTH=${starts[0]!.getUTCMonth() + 1};${days}` });
  }
  return rules;
}

function observance(kind: 'STANDARD' | 'DAYLIGHT', from: number, to: number, start: Date, rrule?: string): string[] {
  return [`BEGIN:${kind}`, `TZOFFSETFROM:${offsetText(from)}`, `TZOFFSETTO:${offsetText(to)}`, `DTSTART:${stamp(start)}`, ...(rrule ? [`RRULE:${rrule}`] : []), `END:${kind}`];
}

function text(tzid: string, list: Change[], initial: number, ruleStart: number | null): string {
  const rules = ruleStart === null ? null : yearlyRules(list, ruleStart);
  const listed = rules ? list.slice(0, ruleStart!) : list;
  // A change is summer time when the offset goes up and comes back down within the year.
  const kind = (c: Change, i: number) => (c.to > c.from && list.slice(i + 1).some((n) => n.to === c.from && n.at - c.at < 366 * 86_400_000) ? 'DAYLIGHT' : 'STANDARD');
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${tzid}`,
    `X-LIC-LOCATION:${tzid}`,
    // The offset in force at the start of the data, so that early times resolve too.
    ...observance('STANDARD', initial, initial, new Date(FROM + initial * 1000)),
    // One observance per listed change, no RDATE: ical.js (Thunderbird's parser) reads only the first
    // value of an RDATE and drops the DTSTART of an observance that has RDATEs.
    ...listed.flatMap((c, i) => observance(kind(c, i), c.from, c.to, localStart(c))),
    ...(rules ?? []).flatMap((r) => observance(kind(r.changes[0]!, ruleStart!), r.changes[0]!.from, r.changes[0]!.to, localStart(r.changes[0]!), r.rrule)),
    'END:VTIMEZONE',
  ].join('\r\n');
}

/**
 * True when ical.js, reading this VTIMEZONE, turns local times into the instants Intl gives three hours
 * either side of every change the rules stand for (the local hour of a change itself is skipped or
 * doubled, so it has no single answer). Listed changes are exact by construction; each rule gives one
 * change a year, so between two checked changes it adds none.
 */
function agrees(vtimezone: string, offsetAt: OffsetAt, ruled: Change[]): boolean {
  const zone = new ICAL.Timezone(new ICAL.Component(ICAL.parse(vtimezone) as unknown[]));
  const margin = 3 * 3_600_000;
  const probes = ruled.flatMap((c) => [c.at - margin, c.at + margin]);
  return probes.every((t) => {
    const offset = offsetAt(t);
    const wall = ICAL.Time.fromJSDate(new Date(t + offset * 1000), true);
    const local = new ICAL.Time({ year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute, second: wall.second }, zone);
    return zone.utcOffset(local) === offset;
  });
}

/** The VTIMEZONE text of `timeZone` named `tzid`; throws when Intl does not know the zone. */
export function vtimezoneText(timeZone: string, tzid: string = timeZone): string {
  const offsetAt = offsetReader(timeZone);
  const list = changes(offsetAt);
  const initial = list[0]?.from ?? offsetAt(FROM);
  // The longest run of yearly rules that holds to the end of the data.
  for (let start = 0; start + 10 <= list.length; start++) {
    if (!yearlyRules(list, start)) continue;
    const candidate = text(tzid, list, initial, start);
    if (agrees(candidate, offsetAt, list.slice(start))) return candidate;
    break;
  }
  return text(tzid, list, initial, null);
}
