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
  /** Rule steps per object (instances computed, in or out of the window). Default 50 000. */
  maxIterations?: number;
  /** Occurrences per object inside the window. Default 1 000. */
  maxOccurrences?: number;
  /** A `clock()` value after which the expansion gives up. */
  deadline?: number;
  /** Milliseconds; default `performance.now()`. A thread CPU clock makes the budget one of work, not of wall time. */
  clock?: () => number;
}

/** An object that needs more work than its budget allows: reported, never silently dropped. */
export class ExpansionLimitError extends Error {
  override readonly name = 'ExpansionLimitError';
  constructor(
    readonly limit: 'iterations' | 'occurrences' | 'time',
    message: string,
  ) {
    super(message);
  }
}

const DAY_MS = 86_400_000;

/** Every occurrence of every VEVENT overlapping [from, to), sorted by start. */
export function expandOccurrences(ics: string, options: ExpandOptions): Occurrence[] {
  ensureConferenceDesign();
  const calendar = parse(ics);
  registerZones(calendar);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const maxIterations = options.maxIterations ?? 50_000;
  const maxOccurrences = options.maxOccurrences ?? 1000;
  const deadline = options.deadline ?? Infinity;
  const clock = options.clock ?? (() => performance.now());
  let iterations = 0;
  const step = () => {
    if (++iterations > maxIterations) throw new ExpansionLimitError('iterations', `more than ${maxIterations} recurrence steps`);
    if ((iterations & 63) === 0 && clock() > deadline) throw new ExpansionLimitError('time', 'recurrence expansion over its time budget');
  };

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
  const keep = (occurrence: Occurrence | null) => {
    if (!occurrence || !(Date.parse(occurrence.start) < to && Date.parse(occurrence.end) > from)) return;
    if (out.length >= maxOccurrences) throw new ExpansionLimitError('occurrences', `more than ${maxOccurrences} occurrences in the window`);
    out.push(occurrence);
  };
  const lone = (uid: string, o: Component) => {
    const e = new ICAL.Event(o);
    if (!e.startDate) return;
    // Most overrides of a long series lie far from the window: skip them before building their text.
    const start = e.startDate.toJSDate().getTime();
    if (start >= to || (e.endDate ? e.endDate.toJSDate().getTime() : start + DAY_MS) <= from) return;
    keep(describe(uid, e.component, e.startDate, e.endDate, e.recurrenceId));
  };
  for (const [uid, { master, overrides }] of byUid) {
    if (!master) {
      // Overrides without their series (an attendee invited to one instance only).
      for (const o of overrides) lone(uid, o);
      continue;
    }
    const event = new ICAL.Event(master);
    if (!event.startDate) continue;
    if (!event.isRecurring()) {
      keep(describe(uid, master, event.startDate, event.endDate, null));
      continue;
    }
    const durationMs = event.duration ? event.duration.toSeconds() * 1000 : 0;
    // An instance starting this long before the window may still overlap it (a DST change moves UTC by up to 2 h).
    const lookBack = from - Math.max(durationMs, 0) - (event.startDate.zone === ICAL.Timezone.utcTimezone || event.startDate.isDate ? 1000 : 2 * 3_600_000) - (event.startDate.isDate ? DAY_MS : 0);
    const series = new ICAL.Event(fastForward(master, event, lookBack));
    // Only overrides of instances the walk meets need relating (and every THISANDFUTURE one); the
    // others are read on their own below.
    for (const o of overrides) {
      const id = o.getFirstProperty('recurrence-id');
      const at = id?.getFirstValue();
      const near = at instanceof ICAL.Time && at.toJSDate().getTime() >= lookBack - DAY_MS && at.toJSDate().getTime() < to + DAY_MS;
      if (near || id?.getParameter('range')) series.relateException(o);
    }
    const visited = new Set<string>();
    const iterator = series.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      step();
      const instanceStart = next.toJSDate().getTime();
      if (instanceStart >= to) break;
      if (instanceStart < lookBack) continue;
      const details = series.getOccurrenceDetails(next);
      if (details.recurrenceId) visited.add(details.recurrenceId.toString());
      keep(describe(uid, details.item.component, details.startDate, details.endDate, details.recurrenceId));
    }
    // Overrides of instances outside the walked range may have been moved into the window.
    for (const o of overrides) {
      const id = o.getFirstPropertyValue('recurrence-id');
      if (id instanceof ICAL.Time && !visited.has(id.toString())) lone(uid, o);
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

/** Largest length of one period of each frequency, so that the estimate of periods to jump is low. */
const PERIOD_MS: Record<string, number> = {
  SECONDLY: 1000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: DAY_MS,
  WEEKLY: 7 * DAY_MS,
  MONTHLY: 31 * DAY_MS,
  YEARLY: 366 * DAY_MS,
};
const PERIOD_SECONDS: Record<string, number> = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600, DAILY: 86_400, WEEKLY: 604_800 };

/**
 * The series with DTSTART moved forward by whole periods (FREQ x INTERVAL) to just before `lookBack`,
 * so that expansion starts near the window instead of walking from a DTSTART long ago. Instances from
 * the new start on are the same. With COUNT the jump is made only when each period holds exactly one
 * instance (no BYxxx part), so the instances skipped can be counted.
 */
function fastForward(master: Component, event: InstanceType<typeof ICAL.Event>, lookBack: number): Component {
  const rules = master.getAllProperties('rrule');
  if (rules.length !== 1 || master.hasProperty('exrule')) return master;
  const recur = rules[0]!.getFirstValue() as InstanceType<typeof ICAL.Recur>;
  const start = event.startDate;
  const period = PERIOD_MS[recur.freq];
  const interval = recur.interval || 1;
  if (!period) return master;
  const monthly = recur.freq === 'MONTHLY' || recur.freq === 'YEARLY';
  // The 29th-31st exist in some months only: periods without them have no instance.
  if (monthly && start.day > 28) return master;
  const simple = Object.keys(recur.parts).length === 0;
  if (recur.count && (!simple || master.hasProperty('rdate'))) return master;

  const jump = (periods: number) => {
    const moved = start.clone();
    const shift = periods * interval;
    if (recur.freq === 'YEARLY') moved.year += shift;
    else if (recur.freq === 'MONTHLY') {
      const months = moved.year * 12 + (moved.month - 1) + shift;
      moved.year = Math.floor(months / 12);
      moved.month = (months % 12) + 1;
    } else {
      const seconds = PERIOD_SECONDS[recur.freq]! * shift;
      moved.adjust(Math.floor(seconds / 86_400), 0, 0, seconds % 86_400);
    }
    return moved;
  };
  // Whole periods are counted in wall-clock time; a zone's offset change can make one land past
  // lookBack in UTC: step back until it does not.
  let periods = Math.floor((lookBack - start.toJSDate().getTime()) / (period * interval)) - 1;
  let moved = periods >= 1 ? jump(periods) : start;
  while (periods >= 1 && moved.toJSDate().getTime() >= lookBack) {
    periods -= Math.max(1, Math.ceil((moved.toJSDate().getTime() - lookBack) / (period * interval))) + 1;
    moved = periods >= 1 ? jump(periods) : start;
  }
  if (periods < 1) return master;

  // toJSON() is the component's own jCal array: copy it, or the edits below would change the master.
  const clone = new ICAL.Component(structuredClone(master.toJSON()));
  const duration = event.duration;
  clone.updatePropertyWithValue('dtstart', moved);
  if (duration) {
    clone.removeAllProperties('dtend');
    clone.updatePropertyWithValue('duration', duration);
  }
  if (recur.count) {
    const rest = recur.count - periods;
    if (rest <= 0) {
      // The series ended before the window; only RDATEs could remain, and COUNT with RDATE is not jumped.
      clone.removeAllProperties('rrule');
      return clone;
    }
    const shortened = recur.clone();
    shortened.count = rest;
    clone.updatePropertyWithValue('rrule', shortened);
  }
  return clone;
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
