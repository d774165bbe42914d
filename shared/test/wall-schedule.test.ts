import { describe, expect, it } from 'vitest';
import { RoomScheduleSchema } from '../src/contract.ts';
import { scheduleFromEditor } from '../src/wall-schedule.ts';

const at = (year: number, month: number, day: number, hour = 0, minute = 0) => ({ year, month, day, hour, minute });
const base = { start: at(2027, 1, 31, 10, 0), end: at(2027, 1, 31, 11, 30), allDay: false, timeZone: 'Europe/Paris', repeat: null, occurrence: false };

describe('a room schedule from an editor’s times', () => {
  it('a timed event: wall times in the agent’s zone, as the contract takes them', () => {
    const schedule = scheduleFromEditor(base);
    expect(schedule).toEqual({ start: '2027-01-31T10:00:00', end: '2027-01-31T11:30:00', timeZone: 'Europe/Paris' });
    expect(RoomScheduleSchema.safeParse(schedule).success).toBe(true);
  });

  it('an all-day event ends at the midnight after its last day', () => {
    expect(scheduleFromEditor({ ...base, allDay: true, start: at(2027, 2, 27, 9), end: at(2027, 3, 1, 9) })).toEqual({
      start: '2027-02-27T00:00:00',
      end: '2027-03-02T00:00:00',
      timeZone: 'Europe/Paris',
    });
  });

  it('a series: open-ended, until a day (its end), or a count walked exactly only where each day or week has one occurrence', () => {
    const weekly = { frequency: 'weekly', custom: false };
    expect(scheduleFromEditor({ ...base, repeat: { ...weekly, end: 'never' } })?.recurrenceEnd).toBeNull();
    expect(scheduleFromEditor({ ...base, repeat: { ...weekly, end: 'until', until: at(2027, 3, 14) } })?.recurrenceEnd).toBe('2027-03-14T23:59:59');
    expect(scheduleFromEditor({ ...base, repeat: { ...weekly, end: 'count', count: 5 } })?.recurrenceEnd).toBe('2027-02-28T10:00:00');
    expect(scheduleFromEditor({ ...base, repeat: { frequency: 'daily', custom: false, end: 'count', count: 1 } })?.recurrenceEnd).toBe('2027-01-31T10:00:00');
    // A monthly rule on the 31st skips short months; a custom rule counts occurrences, not weeks: never ended early.
    expect(scheduleFromEditor({ ...base, repeat: { frequency: 'monthly', custom: false, end: 'count', count: 3 } })?.recurrenceEnd).toBeNull();
    expect(scheduleFromEditor({ ...base, repeat: { ...weekly, custom: true, end: 'count', count: 3 } })?.recurrenceEnd).toBeNull();
  });

  it('unreadable, hostile or inconsistent times give no schedule', () => {
    const bad: unknown[] = [
      null,
      'x',
      { ...base, occurrence: true },
      { ...base, timeZone: 'Mars/Olympus' },
      { ...base, timeZone: 'x'.repeat(65) },
      { ...base, timeZone: null },
      { ...base, allDay: 'no' },
      { ...base, start: at(2027, 2, 30, 10) },
      { ...base, start: { ...base.start, hour: 24 } },
      { ...base, start: { ...base.start, minute: 1.5 } },
      { ...base, start: { ...base.start, year: 99999 } },
      { ...base, start: null },
      { ...base, end: base.start },
      { ...base, end: at(2027, 1, 30, 12) },
      { ...base, repeat: { frequency: 'hourly', custom: false, end: 'never' } },
      { ...base, repeat: { frequency: 'weekly', custom: false, end: 'sometime' } },
      { ...base, repeat: { frequency: 'weekly', custom: false, end: 'count', count: 0 } },
      { ...base, repeat: { frequency: 'weekly', custom: false, end: 'count', count: Number.NaN } },
      { ...base, repeat: { frequency: 'weekly', custom: false, end: 'until', until: at(2027, 1, 1) } },
      { ...base, repeat: { frequency: 'weekly', custom: false, end: 'until' } },
      { ...base, repeat: 'weekly' },
    ];
    for (const times of bad) expect(scheduleFromEditor(times), JSON.stringify(times)).toBeNull();
  });
});
