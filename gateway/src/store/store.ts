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
  /** When the provider reported the meeting over (LiveKit `room_finished`); cleared when it starts again. */
  endedAt?: string | undefined;
}

/**
 * A room creation sent to a provider whose outcome may be uncertain (timeout, 5xx). Recorded before the
 * call so that a retry can first look for the room the first attempt may have made.
 */
export interface PendingCreation {
  id: string;
  owner: string;
  provider: ProviderName;
  startedAt: string;
  /** The provider's ids of the owner's rooms that existed before the call. */
  baseline: string[];
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

  /** Marks a room's meeting as over (or, with null, as running again); false when there is no such room. */
  markRoomEnded(code: string, endedAt: string | null): Promise<boolean>;

  recordPendingCreation(pending: PendingCreation): Promise<void>;
  getPendingCreation(id: string): Promise<PendingCreation | null>;
  /**
   * Binds a pending creation to the provider room it made. False when that provider room is already bound
   * to another creation or room: two requests never share one provider room.
   */
  settlePendingCreation(id: string, providerRef: string): Promise<boolean>;
  /** Forgets a pending creation that certainly made no room. */
  dropPendingCreation(id: string): Promise<void>;

  /** Throws when the store cannot serve requests. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
