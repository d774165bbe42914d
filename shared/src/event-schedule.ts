/**
 * A calendar object's schedule as a room keeps it: the series' (or single event's) first occurrence,
 * its zone, when the series ends (UNTIL, COUNT, or never), and whether the event is cancelled.
 */
import ICAL from 'ical.js';
import type { RoomSchedule } from './contract.js';
import { IcsError } from './ics-error.js';
import { icalTimezone, isSupportedTimeZone } from './timezone.js';

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;

export interface EventSchedule {
  /** Absent when the object has no readable start. */
  schedule?: RoomSchedule;
  /** The event (its master, or its only instance) is STATUS:CANCELLED. */
  cancelled: boolean;
}

// A COUNT beyond this is walked no further: the series is then taken as endless (never ended early).
const MAX_COUNT = 5000;

export function readEventSchedule(ics: string): EventSchedule {
  let calendar: Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(ics));
  } catch (error) {
    throw new IcsError('invalid-ics', `Unreadable calendar object: ${error instanceof Error ? error.message : String(error)}`);
  }
  const events = calendar.getAllSubcomponents('vevent');
  const master = events.find((e) => !e.hasProperty('recurrence-id')) ?? events[0];
  if (!master) return { cancelled: false };
  const cancelled = String(master.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
  // Zones the runtime knows are registered first, so that TZID values resolve to real offsets.
  const tzid = master.getFirstProperty('dtstart')?.getParameter('tzid');
  const zone = typeof tzid === 'string' && isSupportedTimeZone(tzid) ? tzid : 'UTC';
  if (zone !== 'UTC') icalTimezone(zone);
  const start = master.getFirstPropertyValue('dtstart') as Time | null;
  if (!start) return { cancelled };
  const event = new ICAL.Event(master);
  const end = (master.getFirstPropertyValue('dtend') as Time | null) ?? event.endDate ?? start;
  const startAt = start.toJSDate().getTime();
  const endAt = Math.max(end.toJSDate().getTime(), startAt + (start.isDate ? 86_400_000 : 60_000));
  const schedule: RoomSchedule = { start: iso(startAt), end: iso(endAt), timeZone: zone };
  const recurrenceEnd = seriesEnd(master, event, events);
  if (recurrenceEnd !== undefined) schedule.recurrenceEnd = recurrenceEnd;
  return { schedule, cancelled };
}

/** undefined: not a series; null: a series without end; else the last occurrence's latest start. */
function seriesEnd(master: Component, event: InstanceType<typeof ICAL.Event>, events: Component[]): string | null | undefined {
  const rule = master.getFirstPropertyValue('rrule') as InstanceType<typeof ICAL.Recur> | null;
  if (!rule && !master.hasProperty('rdate')) return undefined;
  let last: number | null = null;
  if (rule?.until) last = rule.until.toJSDate().getTime();
  else if (rule?.count && rule.count <= MAX_COUNT) {
    const iterator = event.iterator();
    for (let next = iterator.next(), i = 0; next && i < rule.count; next = iterator.next(), i++) last = next.toJSDate().getTime();
  } else if (rule) return null;
  for (const rdate of master.getAllProperties('rdate')) {
    const value = rdate.getFirstValue() as Time | null;
    if (value && typeof value.toJSDate === 'function') last = Math.max(last ?? 0, value.toJSDate().getTime());
  }
  // An occurrence moved past the series' end still carries the room.
  for (const override of events) {
    const moved = override.hasProperty('recurrence-id') ? (override.getFirstPropertyValue('dtstart') as Time | null) : null;
    if (moved && last !== null) last = Math.max(last, moved.toJSDate().getTime());
  }
  return last === null ? null : iso(last);
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
