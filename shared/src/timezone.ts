/**
 * Real time zones for ICS: ical.js ships no zone data, so a TZID without a VTIMEZONE silently becomes
 * floating time. VTIMEZONE blocks come from timezones-ical-library (IANA data compiled by vzic).
 */
import ICAL from 'ical.js';
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import { IcsError } from './ics-error.js';

let known: ReadonlySet<string> | undefined;
// Both lookups cost about a millisecond each (Intl zone resolution, the library's block assembly);
// zones are few, so each answer is kept.
const supported = new Map<string, boolean>();
const blocks = new Map<string, unknown[]>();

function libraryZones(): ReadonlySet<string> {
  known ??= new Set(tzlib_get_timezones() as string[]);
  return known;
}

/** True when both the runtime (Intl) and the VTIMEZONE library know the IANA zone. */
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

/** A fresh VTIMEZONE component for the zone; IcsError('invalid-time-zone') when it is unknown. */
export function vtimezoneComponent(timeZone: string): ICAL.Component {
  // Check first: the library logs to the console when asked about an unknown zone.
  if (!isSupportedTimeZone(timeZone)) {
    throw new IcsError('invalid-time-zone', `Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
  let jcal = blocks.get(timeZone);
  if (jcal === undefined) {
    const block = tzlib_get_ical_block(timeZone);
    const text = Array.isArray(block) ? block[0] : undefined;
    if (!text) throw new IcsError('invalid-time-zone', `No VTIMEZONE data for ${timeZone}`);
    jcal = ICAL.parse(text) as unknown[];
    blocks.set(timeZone, jcal);
  }
  // Callers may change the component: each gets its own copy of the parsed data.
  return new ICAL.Component(structuredClone(jcal));
}

/**
 * The ical.js zone, registered in its TimezoneService so that Time values carrying this TZID resolve to
 * the real zone (not floating time) anywhere ical.js parses them.
 */
export function icalTimezone(timeZone: string): ICAL.Timezone {
  const registered = ICAL.TimezoneService.get(timeZone);
  if (registered) return registered;
  const zone = new ICAL.Timezone(vtimezoneComponent(timeZone));
  ICAL.TimezoneService.register(zone, timeZone);
  return zone;
}
