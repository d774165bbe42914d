/** A `rooms` table row as both stores read it, and the room it holds. */
import type { StoredRoom } from './store.js';

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
}

export function toRoom(row: RoomRow): StoredRoom {
  return {
    code: row.code,
    owner: row.owner,
    url: row.url,
    accessLevel: row.access_level,
    provider: row.provider,
    title: row.title ?? undefined,
    eventUid: row.event_uid ?? undefined,
    telephony: typeof row.telephony === 'string' ? (JSON.parse(row.telephony) as StoredRoom['telephony']) : (row.telephony ?? undefined),
    providerRef: row.provider_ref ?? undefined,
    createdAt: row.created_at,
    endedAt: row.ended_at ?? undefined,
  };
}
