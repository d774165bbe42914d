import { describe, expect, it } from 'vitest';
import { RoomScheduleSchema } from '../src/contract.ts';
import { readEventSchedule } from '../src/event-schedule.ts';

// Shapes as Thunderbird 153 and Radicale store them (VTIMEZONE blocks trimmed where the zone is IANA).
const event = (lines: string[], extra: string[] = []) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:evt-1', 'DTSTAMP:20261101T080000Z', ...lines, 'END:VEVENT', ...extra, 'END:VCALENDAR', ''].join('\r\n');

describe('readEventSchedule', () => {
  it('reads a single event in its zone', () => {
    const read = readEventSchedule(event(['DTSTART;TZID=Europe/Paris:20261203T100000', 'DTEND;TZID=Europe/Paris:20261203T113000', 'SUMMARY:Comité']));
    expect(read).toEqual({ cancelled: false, schedule: { start: '2026-12-03T09:00:00Z', end: '2026-12-03T10:30:00Z', timeZone: 'Europe/Paris' } });
    expect(RoomScheduleSchema.safeParse(read.schedule).success).toBe(true);
  });

  it('reads a series: UNTIL, COUNT, endless, and an occurrence moved past the end', () => {
    const base = ['DTSTART:20261201T090000Z', 'DURATION:PT1H'];
    expect(readEventSchedule(event([...base, 'RRULE:FREQ=WEEKLY;UNTIL=20270105T090000Z'])).schedule?.recurrenceEnd).toBe('2027-01-05T09:00:00Z');
    expect(readEventSchedule(event([...base, 'RRULE:FREQ=DAILY;COUNT=3'])).schedule).toMatchObject({ end: '2026-12-01T10:00:00Z', recurrenceEnd: '2026-12-03T09:00:00Z' });
    expect(readEventSchedule(event([...base, 'RRULE:FREQ=WEEKLY'])).schedule?.recurrenceEnd).toBeNull();
    const moved = event(
      [...base, 'RRULE:FREQ=DAILY;COUNT=2'],
      ['BEGIN:VEVENT', 'UID:evt-1', 'DTSTAMP:20261101T080000Z', 'RECURRENCE-ID:20261202T090000Z', 'DTSTART:20261210T090000Z', 'DURATION:PT1H', 'END:VEVENT'],
    );
    expect(readEventSchedule(moved).schedule?.recurrenceEnd).toBe('2026-12-10T09:00:00Z');
  });

  it('says when the event is cancelled, and reads all-day events as whole days', () => {
    expect(readEventSchedule(event(['DTSTART:20261201T090000Z', 'DTEND:20261201T100000Z', 'STATUS:CANCELLED'])).cancelled).toBe(true);
    expect(readEventSchedule(event(['DTSTART;VALUE=DATE:20261201'])).schedule).toMatchObject({ start: '2026-12-01T00:00:00Z', end: '2026-12-02T00:00:00Z' });
  });
});
