/**
 * A room's schedule from what an event editor holds as plain data: wall-clock fields in the agent's zone,
 * all-day flag, repeat rule. Web calendars' editors (SOGo's AngularJS model, read by the browser extension)
 * give dates this way. Anything unreadable, out of range or inconsistent gives null (no schedule), never a
 * schedule that could end the room before its meeting.
 */
import { isCalendarDay, isIntlTimeZone } from './calendar-day.js';
import type { RoomSchedule } from './contract.js';

export interface WallDate {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
}

export interface WallDateTime extends WallDate {
  hour: number;
  minute: number;
}

export interface EditorRepeat {
  frequency: 'daily' | 'weekly' | 'monthly' | 'yearly' | 'custom';
  /** The editor's own "custom" rule (by days, by month days, interval above 1…). */
  custom: boolean;
  end: 'never' | 'count' | 'until';
  count?: number;
  /** The series' last day (its occurrences start on or before it). */
  until?: WallDate;
}

export interface EditorTimes {
  start: WallDateTime;
  /** All-day: the event's last day (inclusive), as editors show it. */
  end: WallDateTime;
  allDay: boolean;
  timeZone: string;
  repeat?: EditorRepeat | null;
  /** The editor holds one occurrence of a series: its times are not the series'. */
  occurrence?: boolean;
}

const MAX_COUNT = 5000;
const FREQUENCIES = ['daily', 'weekly', 'monthly', 'yearly', 'custom'];
const ENDS = ['never', 'count', 'until'];

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A real calendar day (no 31 February) between the years 1900 and 2200. */
function readDate(raw: unknown): WallDate | null {
  if (!raw || typeof raw !== 'object') return null;
  const { year, month, day } = raw as Record<string, unknown>;
  if (!isInt(year, 1900, 2200) || !isInt(month, 1, 12) || !isInt(day, 1, 31)) return null;
  return isCalendarDay(year, month, day) ? { year, month, day } : null;
}

function readDateTime(raw: unknown): WallDateTime | null {
  const date = readDate(raw);
  if (!date) return null;
  const { hour, minute } = raw as Record<string, unknown>;
  return isInt(hour, 0, 23) && isInt(minute, 0, 59) ? { ...date, hour, minute } : null;
}

/** As the contract's TimeZoneSchema takes it (the gateway refuses anything else). */
function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 && isIntlTimeZone(value);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const wallMs = (d: WallDate, hour = 0, minute = 0) => Date.UTC(d.year, d.month - 1, d.day, hour, minute);
/** A wall time (no offset: local to the schedule's zone), as the contract takes it. */
const wall = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
const DAY = 86_400_000;

/**
 * The series' end for the room: a date-time by which its last occurrence starts, null for a series without
 * end (also for a COUNT the editor's rule does not let us walk exactly: the room then never ends early),
 * undefined for a single event; false when the rule is unreadable.
 */
function recurrenceEnd(raw: unknown, startMs: number): string | null | undefined | false {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') return false;
  const r = raw as Record<string, unknown>;
  if (typeof r.frequency !== 'string' || !FREQUENCIES.includes(r.frequency) || typeof r.end !== 'string' || !ENDS.includes(r.end) || typeof r.custom !== 'boolean') return false;
  if (r.end === 'never') return null;
  if (r.end === 'until') {
    const until = readDate(r.until);
    // Occurrences start on the last day at the latest: the end of that day covers every start time.
    if (!until) return false;
    const ms = wallMs(until, 23, 59) + 59_000;
    return ms >= startMs ? wall(ms) : false;
  }
  if (!isInt(r.count, 1, 1_000_000)) return false;
  // Plain daily and weekly rules have one occurrence per day or week: the last start is exact.
  if (!r.custom && r.count <= MAX_COUNT && (r.frequency === 'daily' || r.frequency === 'weekly')) {
    return wall(startMs + (r.count - 1) * (r.frequency === 'daily' ? DAY : 7 * DAY));
  }
  return null;
}

export function scheduleFromEditor(raw: unknown): RoomSchedule | null {
  if (!raw || typeof raw !== 'object') return null;
  const times = raw as Record<string, unknown>;
  if (times.occurrence === true || typeof times.allDay !== 'boolean' || !isTimeZone(times.timeZone)) return null;
  const start = readDateTime(times.start);
  const end = readDateTime(times.end);
  if (!start || !end) return null;
  const startMs = times.allDay ? wallMs(start) : wallMs(start, start.hour, start.minute);
  // An all-day event's end is its last day: the meeting is over at the next midnight.
  const endMs = times.allDay ? wallMs(end) + DAY : wallMs(end, end.hour, end.minute);
  if (!(endMs > startMs)) return null;
  const series = recurrenceEnd(times.repeat, startMs);
  if (series === false) return null;
  const schedule: RoomSchedule = { start: wall(startMs), end: wall(endMs), timeZone: times.timeZone };
  if (series !== undefined) schedule.recurrenceEnd = series;
  return schedule;
}
