/**
 * What the gateway persists. SQLite is the embedded default; a PostgreSQL store implements the same
 * interface. Every method is async so that a networked store fits without changing callers.
 */
import type { AccessLevel, ProviderName, Telephony } from '@visio/shared';

export interface StoredRoom {
  code: string;
  owner: string;
  url: string;
  accessLevel: AccessLevel;
  provider: ProviderName;
  title?: string | undefined;
  eventUid?: string | undefined;
  telephony?: Telephony | undefined;
  /** The provider's own identifier (Meet's room UUID), when it has one. */
  providerRef?: string | undefined;
  createdAt: string;
}

export type KeyClaim =
  | { state: 'claimed' }
  | { state: 'done'; roomCode: string }
  | { state: 'pending' }
  | { state: 'mismatch' };

export interface RoomPageQuery {
  owner: string;
  limit: number;
  /** Exclusive position from a previous page: the last room's createdAt and code. */
  after?: { createdAt: string; code: string } | undefined;
}

export class DuplicateRoomError extends Error {
  override readonly name = 'DuplicateRoomError';
  constructor(readonly field: 'code' | 'eventUid') {
    super(`a room with this ${field} already exists`);
  }
}

export interface Store {
  /**
   * Claims an idempotency key for `owner`. The first caller gets `claimed` and must later call
   * `completeKey` or `releaseKey`; a claim older than `staleAfterMs` (its holder died) is taken over.
   */
  claimKey(owner: string, key: string, fingerprint: string, staleAfterMs: number): Promise<KeyClaim>;
  completeKey(owner: string, key: string, roomCode: string): Promise<void>;
  releaseKey(owner: string, key: string): Promise<void>;

  /** Throws DuplicateRoomError when the code, or the owner's event UID, is taken. */
  insertRoom(room: StoredRoom): Promise<void>;
  getRoom(code: string): Promise<StoredRoom | null>;
  findRoomByEvent(owner: string, eventUid: string): Promise<StoredRoom | null>;
  listRooms(query: RoomPageQuery): Promise<StoredRoom[]>;
  /** Deletes the room and the idempotency keys that led to it; false when there was none. */
  deleteRoom(code: string, owner: string): Promise<boolean>;

  /** Throws when the store cannot serve requests. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
