/**
 * Real time zones for ICS: ical.js ships no zone data, so a TZID without a VTIMEZONE silently becomes
 * floating time. VTIMEZONE blocks are computed from the runtime's zone data (vtimezone.ts), the same
 * data Intl uses everywhere else; timezones-ical-library gives the list of IANA names and links.
 *
 * One rule for every IANA name: the VTIMEZONE is written under the name the event uses, link or not
 * (`Indian/Reunion`, `Asia/Calcutta`), so readers that trust the VTIMEZONE (Outlook, DAViCal) find
 * the event's TZID defined. UTC and its aliases need no VTIMEZONE: their times are written in UTC
 * (`Z`), with no TZID (`isUtcZone`).
 */
import ICAL from 'ical.js';
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import { IcsError } from './ics-error.js';
import { vtimezoneText } from './vtimezone.js';

/** The IANA zones that are UTC itself (offset 0, no rule, ever); every UTC alias links to one of them. */
const UTC_TARGETS = new Set(['Etc/UTC', 'Etc/GMT']);

let known: ReadonlySet<string> | undefined;
// Lookups cost about a millisecond (Intl zone resolution, the library's block) and a VTIMEZONE a few
// (vtimezone.ts); zones are few, so each answer is kept.
const supported = new Map<string, boolean>();
const targets = new Map<string, string>();
const blocks = new Map<string, unknown[]>();

function libraryZones(): ReadonlySet<string> {
  known ??= new Set(tzlib_get_timezones() as string[]);
  return known;
}

/** True when both the runtime (Intl) and the list of IANA names (zones and links) know the zone. */
export function isSupportedTimeZone(timeZone: string): boolean {
  const cached = supported.get(timeZone);
  if (cached !== undefined) return cached;
  if (!libraryZones().has(timeZone)) return false;
  let ok = true;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    ok = false;
  }
  supported.set(timeZone, ok);
  return ok;
}

function checked(timeZone: string): string {
  // Check first: the library logs to the console when asked about an unknown zone.
  if (!isSupportedTimeZone(timeZone)) {
    throw new IcsError('invalid-time-zone', `Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}

/** The zone a name stands for in IANA's data: the link's target, or the zone itself. */
function targetOf(timeZone: string): string {
  let target = targets.get(timeZone);
  if (target === undefined) {
    const block = tzlib_get_ical_block(checked(timeZone));
    target = Array.isArray(block) && typeof block[1] === 'string' ? block[1].replace(/^TZID=/, '') : timeZone;
    targets.set(timeZone, target);
  }
  return target;
}

/** True for UTC and its aliases (`Etc/UTC`, `Etc/GMT`, `Zulu`, `UCT`, `Greenwich`…): write `Z` times. */
export function isUtcZone(timeZone: string): boolean {
  return isSupportedTimeZone(timeZone) && UTC_TARGETS.has(targetOf(timeZone));
}

/** A fresh VTIMEZONE component named `timeZone` (TZID and X-LIC-LOCATION); IcsError('invalid-time-zone') when it is unknown. */
export function vtimezoneComponent(timeZone: string): ICAL.Component {
  let jcal = blocks.get(timeZone);
  if (jcal === undefined) {
    jcal = ICAL.parse(vtimezoneText(checked(timeZone))) as unknown[];
    blocks.set(timeZone, jcal);
  }
  // Callers may change the component: each gets its own copy of the parsed data.
  return new ICAL.Component(structuredClone(jcal));
}

/**
 * The ical.js zone, registered in its TimezoneService so that Time values carrying this TZID resolve to
 * the real zone (not floating time) anywhere ical.js parses them. UTC aliases resolve to ical.js's UTC.
 */
export function icalTimezone(timeZone: string): ICAL.Timezone {
  const registered = ICAL.TimezoneService.get(timeZone);
  if (registered) return registered;
  const zone = isUtcZone(timeZone) ? ICAL.Timezone.utcTimezone : new ICAL.Timezone(vtimezoneComponent(timeZone));
  ICAL.TimezoneService.register(zone, timeZone);
  return zone;
}
