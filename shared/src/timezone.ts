/**
 * Real time zones for ICS: ical.js ships no zone data, so a TZID without a VTIMEZONE silently becomes
 * floating time. VTIMEZONE blocks come from timezones-ical-library (IANA data compiled by vzic).
 *
 * One rule for every IANA name: the VTIMEZONE is written under the name the event uses. The library
 * answers a link with the block of the zone it points to (`Indian/Reunion` gives `TZID:Asia/Dubai`,
 * `Asia/Calcutta` gives `Asia/Kolkata`); readers that trust the VTIMEZONE (Outlook, DAViCal) then find
 * no definition for the event's TZID, so the block is renamed. UTC and its aliases need no VTIMEZONE:
 * their times are written in UTC (`Z`), with no TZID (`isUtcZone`).
 */
import ICAL from 'ical.js';
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import { IcsError } from './ics-error.js';

/** The IANA zones that are UTC itself (offset 0, no rule, ever); every UTC alias links to one of them. */
const UTC_TARGETS = new Set(['Etc/UTC', 'Etc/GMT']);

interface ZoneData {
  /** The zone the library's block describes (the link's target, or the zone itself). */
  target: string;
  jcal: unknown[];
}

let known: ReadonlySet<string> | undefined;
// Both lookups cost about a millisecond each (Intl zone resolution, the library's block assembly);
// zones are few, so each answer is kept.
const supported = new Map<string, boolean>();
const blocks = new Map<string, ZoneData>();

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

function zoneData(timeZone: string): ZoneData {
  // Check first: the library logs to the console when asked about an unknown zone.
  if (!isSupportedTimeZone(timeZone)) {
    throw new IcsError('invalid-time-zone', `Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
  let data = blocks.get(timeZone);
  if (data === undefined) {
    const block = tzlib_get_ical_block(timeZone);
    const text = Array.isArray(block) ? block[0] : undefined;
    if (!text) throw new IcsError('invalid-time-zone', `No VTIMEZONE data for ${timeZone}`);
    const jcal = ICAL.parse(text) as unknown[];
    const target = String(new ICAL.Component(jcal).getFirstPropertyValue('tzid'));
    data = { target, jcal };
    blocks.set(timeZone, data);
  }
  return data;
}

/** True for UTC and its aliases (`Etc/UTC`, `Etc/GMT`, `Zulu`, `UCT`, `Greenwich`…): write `Z` times. */
export function isUtcZone(timeZone: string): boolean {
  return isSupportedTimeZone(timeZone) && UTC_TARGETS.has(zoneData(timeZone).target);
}

/**
 * A fresh VTIMEZONE component named `timeZone` (TZID and X-LIC-LOCATION), whatever zone the data comes
 * from; IcsError('invalid-time-zone') when it is unknown.
 */
export function vtimezoneComponent(timeZone: string): ICAL.Component {
  // Callers may change the component: each gets its own copy of the parsed data.
  const zone = new ICAL.Component(structuredClone(zoneData(timeZone).jcal));
  zone.updatePropertyWithValue('tzid', timeZone);
  if (zone.hasProperty('x-lic-location')) zone.updatePropertyWithValue('x-lic-location', timeZone);
  return zone;
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
