import { describe, expect, it } from 'vitest';
import { RoomScheduleSchema } from '../src/contract.ts';
import { scheduleEndsAt, zonedToUtc } from '../src/schedule.ts';

describe('room schedule', () => {
  it('reads wall times in the zone, across daylight saving changes', () => {
    expect(zonedToUtc('2026-12-01T10:00:00', 'Europe/Paris').toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(zonedToUtc('2026-07-01T10:00:00', 'Europe/Paris').toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(zonedToUtc('2026-03-29T03:30:00', 'Europe/Paris').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedToUtc('2026-12-01T10:00:00', 'Pacific/Noumea').toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(zonedToUtc('2026-12-01T10:00:00+02:00', 'Europe/Paris').toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });

  it('ends with the event, with the last occurrence of a series, or never', () => {
    const one = { start: '2026-12-01T10:00:00', end: '2026-12-01T11:30:00', timeZone: 'Europe/Paris' };
    expect(scheduleEndsAt(one)).toBe('2026-12-01T10:30:00.000Z');
    expect(scheduleEndsAt({ ...one, recurrenceEnd: '2027-06-29T10:00:00' })).toBe('2027-06-29T09:30:00.000Z');
    expect(scheduleEndsAt({ ...one, recurrenceEnd: null })).toBeNull();
  });

  it('refuses schedules that make no sense', () => {
    const base = { start: '2026-12-01T10:00:00', end: '2026-12-01T11:00:00', timeZone: 'Europe/Paris' };
    expect(RoomScheduleSchema.safeParse(base).success).toBe(true);
    expect(RoomScheduleSchema.safeParse({ ...base, end: base.start }).success).toBe(false);
    expect(RoomScheduleSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(RoomScheduleSchema.safeParse({ ...base, recurrenceEnd: '2026-11-01T10:00:00' }).success).toBe(false);
    expect(RoomScheduleSchema.safeParse({ ...base, start: '2026-02-30T10:00:00' }).success).toBe(false);
    expect(RoomScheduleSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
  });
});
