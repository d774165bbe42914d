/**
 * Schedules the gateway has not been told yet: a saved event's room stays a draft on the gateway (ended
 * after ROOM_DRAFT_TTL) until it gets its schedule, so each one is written to storage.local before it is
 * sent and forgotten once the gateway took it; what is left (gateway unreachable, Thunderbird stopped) is
 * sent again at the next start and while the add-on retries.
 */
import type { RoomSchedule } from '@visio/shared/contract';
import type { StorageArea } from './messenger.js';
import { StoredMap } from './stored-map.js';

export const SCHEDULES_KEY = 'unsentSchedules';

function parseSchedule(value: unknown): RoomSchedule | null {
  const v = value as Partial<Record<keyof RoomSchedule, unknown>> | null;
  if (!v || typeof v.start !== 'string' || typeof v.end !== 'string' || typeof v.timeZone !== 'string') return null;
  if (v.recurrenceEnd !== undefined && v.recurrenceEnd !== null && typeof v.recurrenceEnd !== 'string') return null;
  return { start: v.start, end: v.end, timeZone: v.timeZone, ...(v.recurrenceEnd !== undefined ? { recurrenceEnd: v.recurrenceEnd } : {}) };
}

export const sameSchedule = (a: RoomSchedule | null | undefined, b: RoomSchedule | null | undefined) =>
  Boolean(a) && Boolean(b) && a!.start === b!.start && a!.end === b!.end && a!.timeZone === b!.timeZone && a!.recurrenceEnd === b!.recurrenceEnd;

export class ScheduleQueue {
  private readonly map: StoredMap<RoomSchedule>;

  constructor(storage: StorageArea) {
    this.map = new StoredMap(storage, SCHEDULES_KEY, parseSchedule);
  }

  /** The room's latest schedule, recorded before it is sent. */
  put(code: string, schedule: RoomSchedule): Promise<void> {
    return this.map.update((q) => void (q[code] = schedule));
  }

  /** Sent (or not to be sent): forgotten unless a newer schedule was recorded meanwhile. */
  forget(code: string, sent?: RoomSchedule): Promise<void> {
    return this.map.update((q) => {
      if (!sent || sameSchedule(q[code], sent)) delete q[code];
    });
  }

  async get(code: string): Promise<RoomSchedule | undefined> {
    return (await this.map.settled())[code];
  }

  entries(): Promise<[string, RoomSchedule][]> {
    return this.map.settled().then(Object.entries);
  }
}
