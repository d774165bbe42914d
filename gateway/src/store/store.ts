/**
 * What the gateway persists. SQLite is the embedded default; a PostgreSQL store implements the same
 * interface. Every method is async so that a networked store fits without changing callers.
 */
import type { AccessLevel, ProviderName, Telephony } from '@visio/shared';
import type { ReleaseReason, RoomSchedule } from '@visio/shared/contract';

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
  /** The owner's address, for provider calls made without the owner (retention, deletion retries). */
  ownerEmail?: string | undefined;
  schedule?: RoomSchedule | undefined;
  /** When the scheduled meeting is over (ISO instant); absent without schedule or for an endless series. */
  scheduleEndsAt?: string | undefined;
  /** When the room was first tied to a saved event (schedule set, or the gateway's CalDAV add). */
  attachedAt?: string | undefined;
  /** When the room was ended (released): its link no longer opens a meeting. */
  releasedAt?: string | undefined;
  releaseReason?: ReleaseReason | undefined;
  /** The provider's deletion of an ended room failed and is retried by the retention job. */
  cleanupPending?: boolean | undefined;
}

/** What `endRoom` records. */
export interface RoomEnding {
  at: string;
  reason: ReleaseReason;
  /** True while the provider's deletion is still to be done (retried later). */
  cleanupPending: boolean;
  audit: AuditStamp;
}

/** Open rooms the retention job ends: each limit is an ISO instant. */
export interface RetentionQuery {
  /** Scheduled meetings over before this. */
  scheduleEndedBefore: string;
  /** Rooms made for an event that was never saved, created before this. */
  draftCreatedBefore: string;
  /** Rooms made for no event (instant meetings), created before this. */
  instantCreatedBefore: string;
  limit: number;
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

export type KeyClaim = { state: 'claimed' } | { state: 'done'; roomCode: string } | { state: 'pending' } | { state: 'mismatch' };

export interface RoomPageQuery {
  owner: string;
  limit: number;
  /** Open rooms only (default), ended ones only, or all. */
  state?: 'open' | 'ended' | 'all' | undefined;
  /** Exclusive position from a previous page: the last room's createdAt and code. */
  after?: { createdAt: string; code: string } | undefined;
}

export class DuplicateRoomError extends Error {
  override readonly name = 'DuplicateRoomError';
  constructor(readonly field: 'code' | 'eventUid') {
    super(`a room with this ${field} already exists`);
  }
}

/** One-time records of the sign-in flow, stored under the digest of their random handle. */
export type OneTimeKind = 'login' | 'code';

export type TakeResult<T> =
  | { state: 'ok'; payload: T }
  | { state: 'unknown' }
  | { state: 'expired' }
  /** Already used: for codes, the session family it produced (to revoke on replay). */
  | { state: 'replayed'; familyId: string | null };

export interface SignedInUser {
  sub: string;
  email: string;
  name?: string | undefined;
}

export interface RefreshTokenRecord {
  hash: string;
  familyId: string;
  clientId: string;
  user: SignedInUser;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms: the family's absolute end (SESSION_MAX_AGE after sign-in). */
  familyExpiresAt: number;
}

export type RefreshUse =
  | { state: 'ok'; token: RefreshTokenRecord }
  | { state: 'unknown' | 'expired' | 'revoked' | 'wrong-client' }
  /** A rotated token came back: its whole family is now revoked. */
  | { state: 'reused' };

export interface ServiceKeyRecord {
  id: string;
  name: string;
  hash: string;
  scopes: string[];
  createdAt: string;
  revokedAt?: string | undefined;
}

export type AuditAction = 'room.create' | 'room.delete' | 'room.end';

/** Which client acted, and when: the rest of an audit entry comes from the room operation. */
export interface AuditStamp {
  client: string;
  at: string;
}

export interface AuditEntry {
  owner: string;
  action: AuditAction;
  roomCode: string;
  client: string;
  at: string;
}

export interface RateLimitHit {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Epoch ms at which the window resets. */
  resetAt: number;
}

/** Sign-in state. Separate from rooms so that a store can keep it elsewhere; every method is atomic. */
export interface AuthStore {
  putOneTime(kind: OneTimeKind, hash: string, payload: unknown, expiresAt: number): Promise<void>;
  /** Marks the record used and returns it; a second take is `replayed`. */
  takeOneTime<T>(kind: OneTimeKind, hash: string, now: number): Promise<TakeResult<T>>;
  /** Remembers which session family a code produced, so a replay can revoke it. */
  linkOneTime(kind: OneTimeKind, hash: string, familyId: string): Promise<void>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /** Marks the token rotated (atomically: one of two concurrent uses wins); reuse revokes the family. */
  useRefreshToken(hash: string, clientId: string, now: number): Promise<RefreshUse>;
  /** Revokes the family of this token (by token digest or by family id). */
  revokeFamily(by: { hash: string } | { familyId: string }, now: number): Promise<void>;
  isFamilyActive(familyId: string, now: number): Promise<boolean>;
  /**
   * Starts a sign-in family that holds no refresh token (a browser's join session): revocable with
   * `revokeFamily({ familyId })`, checked with `isFamilyActive`, purged once expired.
   */
  insertFamily(family: { id: string; clientId: string; sub: string; expiresAt: number }): Promise<void>;

  insertServiceKey(key: ServiceKeyRecord): Promise<void>;
  findServiceKey(hash: string): Promise<ServiceKeyRecord | null>;
  listServiceKeys(): Promise<ServiceKeyRecord[]>;
  /** By id or name; false when no active key matched. */
  revokeServiceKey(idOrName: string, now: number): Promise<boolean>;

  /** Counts one request in `bucket`'s fixed window of `windowMs`; shared by every instance using the store. */
  hitRateLimit(bucket: string, windowMs: number, now: number): Promise<RateLimitHit>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; `before` is the last entry of the previous page. */
  listAudit(query: { owner: string; limit: number; before?: Pick<AuditEntry, 'at' | 'roomCode' | 'action'> | undefined }): Promise<AuditEntry[]>;

  /** Deletes expired one-time records, refresh tokens and stale rate-limit windows. */
  purgeExpired(now: number): Promise<void>;
}

/** A "switch to Visio" run over an agent's calendars (routes/migrations.ts): the plan and each event's outcome. */
export interface StoredMigration {
  id: string;
  owner: string;
  createdAt: string;
  from: string;
  to: string;
  scheduling: 'server' | 'client' | 'unknown';
  /** When the agent first applied it (null: still a plan). */
  appliedAt: string | null;
}

export type MigrationItemResult = 'pending' | 'converted' | 'unchanged' | 'failed' | 'skipped' | 'askOrganizer';

export interface StoredMigrationItem {
  id: string;
  position: number;
  /** What the plan found (href, title, next occurrence, providers, organizer…), as the routes serve it. */
  data: Record<string, unknown>;
  result: MigrationItemResult;
  room: string | null;
  error: string | null;
}

export interface MigrationStore {
  /** The migration and all its items, in one transaction. */
  insertMigration(migration: StoredMigration, items: StoredMigrationItem[]): Promise<void>;
  getMigration(id: string): Promise<{ migration: StoredMigration; items: StoredMigrationItem[] } | null>;
  /** Sets `appliedAt` the first time, and marks the pending items listed in `skip` as skipped. */
  markMigrationApplied(id: string, at: string, skip: string[]): Promise<void>;
  /** Records an item's outcome once: only a pending or failed item changes; false when it had one already. */
  recordMigrationItem(id: string, itemId: string, outcome: { result: MigrationItemResult; room: string | null; error: string | null }): Promise<boolean>;
}

/**
 * The store cannot be reached (database down, restarting, connection lost): the request fails with 503
 * and may be retried; nothing was written by the failed operation.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('the store is unavailable', options);
  }
}

/** An idempotency key that an insert completes in the same transaction. */
export interface KeyRef {
  owner: string;
  key: string;
}

export interface Store extends AuthStore, MigrationStore {
  /**
   * Claims an idempotency key for `owner`. The first caller gets `claimed` and must later call
   * `completeKey` or `releaseKey`; a claim older than `staleAfterMs` (its holder died) is taken over.
   */
  claimKey(owner: string, key: string, fingerprint: string, staleAfterMs: number): Promise<KeyClaim>;
  completeKey(owner: string, key: string, roomCode: string): Promise<void>;
  releaseKey(owner: string, key: string): Promise<void>;

  /**
   * Throws DuplicateRoomError when the code, or the owner's event UID, is taken. In the same transaction:
   * with `completes`, marks that claimed key done with this room (a crash never leaves a room its key does
   * not name); with `audit`, writes a `room.create` entry.
   */
  insertRoom(room: StoredRoom, options?: { completes?: KeyRef | undefined; audit?: AuditStamp | undefined }): Promise<void>;
  getRoom(code: string): Promise<StoredRoom | null>;
  findRoomByEvent(owner: string, eventUid: string): Promise<StoredRoom | null>;
  listRooms(query: RoomPageQuery): Promise<StoredRoom[]>;
  /** Deletes the room and the idempotency keys that led to it; false when there was none. */
  deleteRoom(code: string, owner: string, audit?: AuditStamp): Promise<boolean>;

  /** Marks a room's meeting as over (or, with null, as running again); false when there is no such room. */
  markRoomEnded(code: string, endedAt: string | null): Promise<boolean>;

  /**
   * Sets the schedule of an open room of `owner` and marks it attached (first time only); null when the
   * owner has no such room, the room unchanged when it is ended.
   */
  setSchedule(code: string, owner: string, schedule: RoomSchedule, endsAt: string | null, at: string): Promise<StoredRoom | null>;
  /** Marks an open room attached to a saved event (idempotent). */
  attachRoom(code: string, at: string): Promise<void>;
  /**
   * Ends an open room, once: false when it was already ended (or is unknown). In the same transaction,
   * drops the idempotency keys that led to it and writes its audit entry (`room.delete` for the owner's
   * deletion, else `room.end`).
   */
  endRoom(code: string, ending: RoomEnding): Promise<boolean>;
  /** Open rooms due to end, with why. */
  listRoomsToEnd(query: RetentionQuery): Promise<Array<{ room: StoredRoom; reason: 'retention' | 'draft-expired' }>>;
  /** Ended rooms whose provider deletion is still to be done. */
  listPendingCleanups(limit: number): Promise<StoredRoom[]>;
  settleCleanup(code: string): Promise<void>;
  /**
   * Runs `fn` unless another instance is running the job of this name (PostgreSQL advisory lock; one
   * process at a time for SQLite). False when it did not run.
   */
  runExclusive(job: string, fn: () => Promise<void>): Promise<boolean>;

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
