/**
 * The occurrences of the events of an iCalendar object that overlap a time window: recurring series
 * expanded (RRULE, RDATE, EXDATE), overrides (RECURRENCE-ID) in place of the instances they replace.
 * Used to list a person's upcoming meetings; pure, no I/O.
 */
import ICAL from 'ical.js';
import { ensureConferenceDesign } from './ics-design.js';
import { IcsError } from './ics-error.js';
import { icalTimezone, isSupportedTimeZone } from './timezone.js';

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;

export interface Occurrence {
  uid: string;
  /** The instance's RECURRENCE-ID as an ISO instant; null for an event that does not recur. */
  recurrenceId: string | null;
  title: string;
  /** ISO instants (UTC). An all-day occurrence starts at midnight UTC of its date. */
  start: string;
  end: string;
  allDay: boolean;
  status: string | null;
  location: string;
  description: string;
  /** URL and CONFERENCE values. */
  links: string[];
}

export interface ExpandOptions {
  from: Date;
  to: Date;
  /** Iteration cap per series, so a FREQ=SECONDLY rule over years cannot run away. Default 50 000. */
  maxIterations?: number;
}

/** Every occurrence of every VEVENT overlapping [from, to), sorted by start. */
export function expandOccurrences(ics: string, options: ExpandOptions): Occurrence[] {
  ensureConferenceDesign();
  const calendar = parse(ics);
  registerZones(calendar);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const cap = options.maxIterations ?? 50_000;

  const events = calendar.getAllSubcomponents('vevent');
  const byUid = new Map<string, { master?: Component; overrides: Component[] }>();
  for (const event of events) {
    const uid = String(event.getFirstPropertyValue('uid') ?? '');
    const entry = byUid.get(uid) ?? { overrides: [] };
    if (event.hasProperty('recurrence-id')) entry.overrides.push(event);
    else entry.master ??= event;
    byUid.set(uid, entry);
  }

  const out: Occurrence[] = [];
  const overlaps = (start: number, end: number) => start < to && end > from;
  for (const [uid, { master, overrides }] of byUid) {
    if (!master) {
      // Overrides without their series (an attendee invited to one instance only).
      for (const o of overrides) {
        const e = new ICAL.Event(o);
        const occurrence = describe(uid, e.component, e.startDate, e.endDate, e.recurrenceId);
        if (occurrence && overlaps(Date.parse(occurrence.start), Date.parse(occurrence.end))) out.push(occurrence);
      }
      continue;
    }
    const event = new ICAL.Event(master);
    for (const o of overrides) event.relateException(o);
    if (!event.startDate) continue;
    if (!event.isRecurring()) {
      const occurrence = describe(uid, master, event.startDate, event.endDate, null);
      if (occurrence && overlaps(Date.parse(occurrence.start), Date.parse(occurrence.end))) out.push(occurrence);
      continue;
    }
    const iterator = event.iterator();
    const duration = event.duration;
    // An override may move an instance from before the window into it: look back one event length more.
    const lookBack = from - Math.max(duration ? duration.toSeconds() * 1000 : 0, 86_400_000) * 2;
    for (let i = 0, next = iterator.next(); next && i < cap; i++, next = iterator.next()) {
      const instanceStart = next.toJSDate().getTime();
      if (instanceStart >= to && !overrides.length) break;
      if (instanceStart < lookBack) continue;
      if (instanceStart >= to + 366 * 86_400_000) break;
      const details = event.getOccurrenceDetails(next);
      const occurrence = describe(uid, details.item.component, details.startDate, details.endDate, details.recurrenceId);
      if (occurrence && overlaps(Date.parse(occurrence.start), Date.parse(occurrence.end))) out.push(occurrence);
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

function describe(uid: string, component: Component, start: Time, end: Time | null, recurrenceId: Time | null): Occurrence | null {
  if (!start) return null;
  const allDay = start.isDate;
  const startMs = start.toJSDate().getTime();
  // A missing DTEND lasts a day for a date, nothing for a date-time (RFC 5545 3.6.1).
  const endMs = end ? end.toJSDate().getTime() : startMs + (allDay ? 86_400_000 : 0);
  const text = (name: string) => {
    const value = component.getFirstPropertyValue(name);
    return typeof value === 'string' ? value : '';
  };
  const links = [...component.getAllProperties('url'), ...component.getAllProperties('conference')].map((p) => String(p.getFirstValue() ?? '')).filter(Boolean);
  return {
    uid,
    recurrenceId: recurrenceId ? recurrenceId.toJSDate().toISOString() : null,
    title: text('summary'),
    start: new Date(startMs).toISOString(),
    end: new Date(Math.max(endMs, startMs)).toISOString(),
    allDay,
    status: text('status') ? text('status').toUpperCase() : null,
    location: text('location'),
    description: text('description'),
    links,
  };
}

function parse(ics: string): Component {
  if (typeof ics !== 'string' || !/^\s*BEGIN:VCALENDAR\r?$/im.test(ics)) throw new IcsError('invalid-ics', 'Not an iCalendar object (no BEGIN:VCALENDAR)');
  try {
    const jcal: unknown = ICAL.parse(ics);
    if (!Array.isArray(jcal) || typeof jcal[0] !== 'string') throw new Error('expected exactly one VCALENDAR');
    const calendar = new ICAL.Component(jcal);
    if (calendar.name !== 'vcalendar') throw new Error(`top-level ${calendar.name}, expected VCALENDAR`);
    return calendar;
  } catch (error) {
    throw new IcsError('invalid-ics', `Invalid iCalendar data: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * ical.js resolves a TZID through its global TimezoneService, else reads floating time. IANA names get
 * the library's data; other names (Outlook's "Romance Standard Time"…) the object's own VTIMEZONE,
 * when no zone of that name is registered yet.
 */
function registerZones(calendar: Component): void {
  const tzids = new Set<string>();
  const collect = (component: Component) => {
    for (const property of component.getAllProperties()) {
      const tzid = property.getParameter('tzid');
      if (typeof tzid === 'string') tzids.add(tzid);
    }
  };
  for (const event of calendar.getAllSubcomponents('vevent')) collect(event);
  for (const tzid of tzids) {
    if (ICAL.TimezoneService.has(tzid)) continue;
    if (isSupportedTimeZone(tzid)) {
      icalTimezone(tzid);
      continue;
    }
    const own = calendar.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === tzid);
    if (own) ICAL.TimezoneService.register(new ICAL.Timezone(own), tzid);
  }
}
