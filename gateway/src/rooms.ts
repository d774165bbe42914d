/** Room creation, listing and deletion, with idempotency: one request (or one event) gives one room. */
import { createHash } from 'node:crypto';
import { generateRoomCode, type AccessLevel } from '@visio/shared';
import type { ReleaseReason, Room, RoomSchedule } from '@visio/shared/contract';
import { scheduleEndsAt } from '@visio/shared/schedule';
import type { User } from './identity.js';
import type { Logger } from './logger.js';
import { notFound, ProblemError } from './problem.js';
import type { ProviderDeletion, ProviderEvent, RoomProvider } from './providers/provider.js';
import { DuplicateRoomError, type AuditEntry, type Store, type StoredRoom } from './store/store.js';

export type { StoredRoom } from './store/store.js';

export interface CreateRoomCommand {
  title?: string | undefined;
  accessLevel?: AccessLevel | undefined;
  eventUid?: string | undefined;
  idempotencyKey?: string | undefined;
  schedule?: RoomSchedule | undefined;
}

/** The outcome of ending a room: `ended` false when it already was (by another request or instance). */
export interface Release extends ProviderDeletion {
  ended: boolean;
}

export interface RoomServiceOptions {
  store: Store;
  provider: RoomProvider;
  defaultAccessLevel: AccessLevel;
  /** How long a repeat waits for the first request with its key to finish. */
  waitForPendingMs?: number;
  /** A claim older than this belongs to a process that died; it is taken over. */
  staleClaimMs?: number;
  now?: () => Date;
  log?: Logger;
}

/** Who asked, for the audit trail: the client (from X-Visio-Client). */
export interface AuditMeta {
  client: string;
}

export interface CreateResult {
  room: Room;
  created: boolean;
}

export function toApiRoom(room: StoredRoom): Room {
  return {
    code: room.code,
    url: room.url,
    accessLevel: room.accessLevel,
    provider: room.provider,
    ...(room.telephony ? { telephony: room.telephony } : {}),
    ...(room.eventUid ? { eventUid: room.eventUid } : {}),
    ...(room.title ? { title: room.title } : {}),
    createdAt: room.createdAt,
    ...(room.endedAt ? { endedAt: room.endedAt } : {}),
    ...(room.schedule ? { schedule: room.schedule } : {}),
    state: room.releasedAt ? 'ended' : 'open',
    ...(room.releasedAt ? { releasedAt: room.releasedAt } : {}),
    ...(room.releaseReason ? { releaseReason: room.releaseReason } : {}),
  };
}

/** 409 for changes to a room that was ended. */
export function roomEnded(room: StoredRoom): ProblemError {
  return new ProblemError(409, 'roomEnded', 'Room ended', `This room was ended on ${room.releasedAt}; add Visio to the event again for a new room.`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createRoomService(options: RoomServiceOptions) {
  const { store, provider } = options;
  const waitForPendingMs = options.waitForPendingMs ?? 15_000;
  const staleClaimMs = options.staleClaimMs ?? 60_000;
  const now = options.now ?? (() => new Date());

  /** With `key`, the insert also completes that claimed idempotency key, atomically. */
  async function mint(owner: User, command: CreateRoomCommand, meta: AuditMeta | undefined, key?: string): Promise<StoredRoom> {
    const accessLevel = command.accessLevel ?? options.defaultAccessLevel;
    for (let attempt = 0; ; attempt++) {
      const made = await provider.createRoom({ owner, accessLevel, title: command.title, eventUid: command.eventUid, suggestedCode: generateRoomCode() });
      const createdAt = now().toISOString();
      const room: StoredRoom = {
        ...made,
        owner: owner.sub,
        provider: provider.name,
        title: command.title,
        eventUid: command.eventUid,
        createdAt,
        ownerEmail: owner.email,
        ...(command.schedule ? { schedule: command.schedule, scheduleEndsAt: scheduleEndsAt(command.schedule) ?? undefined, attachedAt: createdAt } : {}),
      };
      try {
        await store.insertRoom(room, { completes: key ? { owner: owner.sub, key } : undefined, audit: auditOf(meta) });
        return room;
      } catch (error) {
        // A code collision (1 in 1.4e14) gets a fresh code; an event race is settled by the caller.
        if (error instanceof DuplicateRoomError && error.field === 'code' && provider.name === 'standalone' && attempt < 3) continue;
        throw error;
      }
    }
  }

  async function existingForEvent(owner: User, eventUid: string | undefined): Promise<StoredRoom | null> {
    return eventUid ? store.findRoomByEvent(owner.sub, eventUid) : null;
  }

  // The audit entry is written in the same transaction as the room (or its deletion).
  // Strictly increasing timestamps within this process, so the trail's order is the order of events.
  let lastAuditAt = 0;
  const auditOf = (meta: AuditMeta | undefined) => {
    lastAuditAt = Math.max(now().getTime(), lastAuditAt + 1);
    return { client: meta?.client ?? 'unknown', at: new Date(lastAuditAt).toISOString() };
  };

  async function create(owner: User, command: CreateRoomCommand, meta?: AuditMeta): Promise<CreateResult> {
    const forEvent = await existingForEvent(owner, command.eventUid);
    // The event's room follows the event: a repeat with its (maybe moved) schedule updates it.
    if (forEvent) return { room: toApiRoom(command.schedule ? await schedule(owner, forEvent.code, command.schedule) : forEvent), created: false };

    const key = command.idempotencyKey ? `key:${command.idempotencyKey}` : command.eventUid ? `event:${command.eventUid}` : null;
    if (!key) return { room: toApiRoom(await mint(owner, command, meta)), created: true };

    const fingerprint = createHash('sha256')
      .update(JSON.stringify([command.title ?? null, command.accessLevel ?? null, command.eventUid ?? null]))
      .digest('base64url');
    const deadline = Date.now() + waitForPendingMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      const claim = await store.claimKey(owner.sub, key, fingerprint, staleClaimMs);
      switch (claim.state) {
        case 'mismatch':
          throw new ProblemError(422, 'idempotencyMismatch', 'Idempotency key reused', 'This Idempotency-Key was already used with a different request body.');
        case 'done': {
          const room = await store.getRoom(claim.roomCode);
          if (room) return { room: toApiRoom(room), created: false };
          throw notFound('The room created for this request was deleted since.');
        }
        case 'claimed':
          return { room: toApiRoom(await mintClaimed(owner, command, key, meta)), created: true };
        case 'pending':
          if (Date.now() > deadline) {
            throw new ProblemError(409, 'conflict', 'Request in progress', 'An identical request is still being processed; retry in a moment.', { headers: { 'retry-after': '2' } });
          }
          await sleep(delay);
      }
    }
  }

  async function mintClaimed(owner: User, command: CreateRoomCommand, key: string, meta: AuditMeta | undefined): Promise<StoredRoom> {
    try {
      return await mint(owner, command, meta, key);
    } catch (error) {
      if (error instanceof DuplicateRoomError && error.field === 'eventUid') {
        // Another key won the event: hand back its room.
        const winner = await existingForEvent(owner, command.eventUid);
        if (winner) {
          await store.completeKey(owner.sub, key, winner.code);
          return winner;
        }
      }
      // When the store itself is down the release fails too; the claim then expires after staleClaimMs.
      await store.releaseKey(owner.sub, key).catch(() => {});
      throw error;
    }
  }

  async function get(owner: User, code: string): Promise<StoredRoom> {
    const room = await store.getRoom(code);
    // Another agent's room is indistinguishable from a missing one.
    if (!room || room.owner !== owner.sub) throw notFound('No room with this code belongs to you.');
    return room;
  }

  /** The room with the provider's current access level and dial-in, when the provider keeps rooms. */
  async function getFresh(owner: User, code: string): Promise<StoredRoom> {
    const room = await get(owner, code);
    if (!provider.retrieveRoom || !room.providerRef) return room;
    try {
      const live = await provider.retrieveRoom(room, owner);
      return live ? { ...room, accessLevel: live.accessLevel, telephony: live.telephony ?? room.telephony } : room;
    } catch (error) {
      // The stored room is still right for everything the gateway hands out.
      options.log?.warn('provider could not refresh a room', { code: room.code, error });
      return room;
    }
  }

  async function schedule(owner: User, code: string, value: RoomSchedule): Promise<StoredRoom> {
    const room = await get(owner, code);
    if (room.releasedAt) throw roomEnded(room);
    const updated = await store.setSchedule(code, owner.sub, value, scheduleEndsAt(value), now().toISOString());
    if (!updated) throw notFound('No room with this code belongs to you.');
    if (updated.releasedAt) throw roomEnded(updated);
    return updated;
  }

  /** Ties an open room to its saved event: with the event's schedule when it has a readable one. */
  async function attach(owner: User, code: string, value: RoomSchedule | undefined): Promise<void> {
    if (value) await schedule(owner, code, value);
    else await store.attachRoom((await get(owner, code)).code, now().toISOString());
  }

  /**
   * Ends the room in the store first (so nothing is lost if the provider fails or this process dies), then
   * asks the provider to delete it; a failed deletion stays pending and the retention job retries it.
   */
  async function release(room: StoredRoom, reason: ReleaseReason, meta?: AuditMeta, caller?: User): Promise<Release> {
    const ended = await store.endRoom(room.code, { at: now().toISOString(), reason, cleanupPending: true, audit: auditOf(meta) });
    if (!ended) return { ended: false, providerDeleted: false, detail: 'The room was already ended.' };
    return { ended: true, ...(await cleanup(room, caller)) };
  }

  /** The provider's deletion of an ended room; false `providerDeleted` with a detail when it must wait. */
  async function cleanup(room: StoredRoom, caller?: User): Promise<ProviderDeletion> {
    const email = room.ownerEmail ?? (caller?.sub === room.owner ? caller.email : undefined);
    try {
      // A room stored before owners' addresses were kept cannot be deleted for its owner: forgotten.
      const deletion = email ? await provider.deleteRoom(room, { sub: room.owner, email }) : { providerDeleted: false, detail: 'The gateway forgot this room.' };
      await store.settleCleanup(room.code);
      return deletion;
    } catch (error) {
      options.log?.warn('provider could not delete an ended room; retried later', { code: room.code, error });
      return { providerDeleted: false, detail: 'Visio could not delete the room now: it is ended here and its deletion will be retried.' };
    }
  }

  /** Readiness: each part that must answer for rooms to be made. */
  const checks: Record<string, () => Promise<void>> = { store: () => store.ping(), provider: () => provider.check() };

  return {
    create,
    get,
    getFresh,
    schedule,
    attach,
    release,
    cleanup,
    async list(owner: User, limit: number, cursor?: string, state: 'open' | 'ended' | 'all' = 'open') {
      const after = cursor ? decodeCursor(cursor) : undefined;
      const rooms = await store.listRooms({ owner: owner.sub, limit: limit + 1, after, state });
      const page = rooms.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toApiRoom),
        nextCursor: rooms.length > limit && last ? encodeCursor(last) : null,
      };
    },
    /** Ends one of the owner's rooms (idempotent: an ended room stays ended). */
    async remove(owner: User, code: string, meta?: AuditMeta, reason: ReleaseReason = 'deleted') {
      const room = await get(owner, code);
      if (room.releasedAt) return { room, ended: false, providerDeleted: false, detail: 'The room was already ended.' };
      return { room, ...(await release(room, reason, meta, owner)) };
    },
    /** The caller's own creations and deletions, newest first, before `before` (one more than `limit`: the caller pages). */
    audit(owner: User, limit: number, before?: { at: string; roomCode: string; action: AuditEntry['action'] }): Promise<AuditEntry[]> {
      return store.listAudit({ owner: owner.sub, limit, before });
    },
    /** Whether `GET /j/{code}` is this provider's invitation link (links that need a per-person token). */
    /** Any room by code, whoever owns it (join links and their state are for invitees too). */
    find: (code: string): Promise<StoredRoom | null> => store.getRoom(code),
    hasJoinLinks: Boolean(provider.joinUrl),
    /** Where `GET /j/{code}` sends this agent: any signed-in agent may join (invitees are not the owner). */
    async joinUrl(user: User, code: string): Promise<string> {
      const room = provider.joinUrl ? await store.getRoom(code) : null;
      if (!room || !provider.joinUrl) throw notFound('No room with this code: check the link in the invitation.');
      return provider.joinUrl(room, user);
    },
    hasWebhooks: Boolean(provider.receiveWebhook),
    /** A provider webhook: verified (WebhookRefusedError when forged or tampered), then recorded on the room. */
    async receiveWebhook(rawBody: string, authorization: string | undefined): Promise<ProviderEvent> {
      let event: ProviderEvent;
      try {
        if (!provider.receiveWebhook) throw new Error('this provider sends no webhooks');
        event = await provider.receiveWebhook(rawBody, authorization);
      } catch (error) {
        throw new WebhookRefusedError(error instanceof Error ? error.message : 'unreadable');
      }
      if (event.kind === 'room-ended') await store.markRoomEnded(event.code, event.at);
      if (event.kind === 'room-started') await store.markRoomEnded(event.code, null);
      return event;
    },
    checks,
  };
}

export class WebhookRefusedError extends Error {
  override readonly name = 'WebhookRefusedError';
}

export type RoomService = ReturnType<typeof createRoomService>;

function encodeCursor(room: StoredRoom): string {
  return Buffer.from(JSON.stringify([room.createdAt, room.code])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; code: string } {
  try {
    const [createdAt, code] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof code === 'string') return { createdAt, code };
  } catch {
    // fall through
  }
  throw new ProblemError(400, 'validation', 'Invalid request', 'cursor: not a cursor from a previous page', { errors: [{ path: 'cursor', message: 'not a cursor from a previous page' }] });
}
