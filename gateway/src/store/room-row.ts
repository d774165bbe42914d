/** A `rooms` table row as both stores read it, and the room it holds. */
import type { AuditAction, RoomEnding, StoredRoom } from './store.js';

/** The owner's own deletion stays `room.delete` in the trail; ends by cancellation or retention are `room.end`. */
export const endAction = (e: RoomEnding): AuditAction => (e.reason === 'deleted' ? 'room.delete' : 'room.end');

export interface RoomRow {
  code: string;
  owner: string;
  url: string;
  access_level: StoredRoom['accessLevel'];
  provider: StoredRoom['provider'];
  title: string | null;
  event_uid: string | null;
  /** JSON text in SQLite, already decoded from JSONB by PostgreSQL. */
  telephony: StoredRoom['telephony'] | string | null;
  provider_ref: string | null;
  created_at: string;
  ended_at: string | null;
  owner_email: string | null;
  /** JSON text in SQLite, decoded JSONB in PostgreSQL. */
  schedule: StoredRoom['schedule'] | string | null;
  schedule_ends_at: string | null;
  attached_at: string | null;
  released_at: string | null;
  release_reason: StoredRoom['releaseReason'] | null;
  /** 0/1 in SQLite, boolean in PostgreSQL. */
  cleanup_pending: number | boolean;
}

/** The columns a new room is inserted with, in both stores' INSERT order. */
export const ROOM_INSERT_COLUMNS = 'code, owner, url, access_level, provider, title, event_uid, telephony, provider_ref, created_at, owner_email, schedule, schedule_ends_at, attached_at';

/** A new room's values for ROOM_INSERT_COLUMNS (JSON as text). */
export function roomInsertValues(room: StoredRoom): (string | null)[] {
  return [
    room.code,
    room.owner,
    room.url,
    room.accessLevel,
    room.provider,
    room.title ?? null,
    room.eventUid ?? null,
    room.telephony ? JSON.stringify(room.telephony) : null,
    room.providerRef ?? null,
    room.createdAt,
    room.ownerEmail ?? null,
    room.schedule ? JSON.stringify(room.schedule) : null,
    room.scheduleEndsAt ?? null,
    room.attachedAt ?? null,
  ];
}

const json = <T>(value: T | string | null): T | undefined => (typeof value === 'string' ? (JSON.parse(value) as T) : (value ?? undefined));

export function toRoom(row: RoomRow): StoredRoom {
  return {
    code: row.code,
    owner: row.owner,
    url: row.url,
    accessLevel: row.access_level,
    provider: row.provider,
    title: row.title ?? undefined,
    eventUid: row.event_uid ?? undefined,
    telephony: json(row.telephony),
    providerRef: row.provider_ref ?? undefined,
    createdAt: row.created_at,
    endedAt: row.ended_at ?? undefined,
    ownerEmail: row.owner_email ?? undefined,
    schedule: json(row.schedule),
    scheduleEndsAt: row.schedule_ends_at ?? undefined,
    attachedAt: row.attached_at ?? undefined,
    releasedAt: row.released_at ?? undefined,
    releaseReason: row.release_reason ?? undefined,
    cleanupPending: row.cleanup_pending ? true : undefined,
  };
}

/**
 * The lifecycle columns (issue 18), in each store's types. The event index now counts open rooms only: an
 * event whose room was ended may get a new one.
 */
export const ROOM_LIFECYCLE_MIGRATION = (json: string, flag: string): string => `
  ALTER TABLE rooms ADD COLUMN owner_email TEXT;
  ALTER TABLE rooms ADD COLUMN schedule ${json};
  ALTER TABLE rooms ADD COLUMN schedule_ends_at TEXT;
  ALTER TABLE rooms ADD COLUMN attached_at TEXT;
  ALTER TABLE rooms ADD COLUMN released_at TEXT;
  ALTER TABLE rooms ADD COLUMN release_reason TEXT;
  ALTER TABLE rooms ADD COLUMN cleanup_pending ${flag};
  UPDATE rooms SET attached_at = created_at WHERE event_uid IS NOT NULL;
  DROP INDEX rooms_owner_event;
  CREATE UNIQUE INDEX rooms_owner_event ON rooms (owner, event_uid) WHERE event_uid IS NOT NULL AND released_at IS NULL;
  CREATE INDEX rooms_schedule_ends ON rooms (schedule_ends_at) WHERE released_at IS NULL AND schedule_ends_at IS NOT NULL;
  CREATE INDEX rooms_unattached ON rooms (created_at) WHERE released_at IS NULL AND attached_at IS NULL;
  CREATE INDEX rooms_cleanup ON rooms (released_at) WHERE cleanup_pending = ${flag.startsWith('BOOLEAN') ? 'TRUE' : '1'};`;
