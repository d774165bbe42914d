/** The instant a room's meeting is over, from its schedule (wall times in its zone, or absolute times). */
import type { RoomSchedule } from './contract.js';

const OFFSET = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/** UTC instant of a wall time in `timeZone` (absolute values keep their own offset). */
export function zonedToUtc(value: string, timeZone: string): Date {
  if (OFFSET.test(value)) return new Date(value);
  const asUtc = Date.parse(`${value}Z`);
  // The zone's offset at that instant, found twice so that a time next to a DST change settles.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - offsetMs(guess, timeZone);
  return new Date(guess);
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * When the meeting is over, as an ISO instant: the event's end, or the end of a series' last occurrence;
 * null for a series without end (it never ends on its own).
 */
export function scheduleEndsAt(schedule: RoomSchedule): string | null {
  if (schedule.recurrenceEnd === null) return null;
  const start = zonedToUtc(schedule.start, schedule.timeZone).getTime();
  const end = zonedToUtc(schedule.end, schedule.timeZone).getTime();
  if (schedule.recurrenceEnd === undefined) return new Date(end).toISOString();
  // The last occurrence starts by the series' UNTIL and lasts as long as the first.
  const until = zonedToUtc(schedule.recurrenceEnd, schedule.timeZone).getTime();
  return new Date(Math.max(end, until + (end - start))).toISOString();
}
