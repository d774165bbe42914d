/** A room provider turns "a room for this agent" into a joinable Visio room. */
import type { AccessLevel, ProviderName, Telephony } from '@visio/shared';
import type { z } from 'zod';
import type { User } from '../identity.js';
import type { Logger } from '../logger.js';
import type { Store, StoredRoom } from '../store/store.js';

export interface CreateRoomInput {
  owner: User;
  accessLevel: AccessLevel;
  title?: string | undefined;
  eventUid?: string | undefined;
  /** A fresh code; providers that pick their own ignore it. */
  suggestedCode: string;
}

export interface ProviderRoom {
  code: string;
  url: string;
  accessLevel: AccessLevel;
  telephony?: Telephony | undefined;
  providerRef?: string | undefined;
}

export interface ProviderDeletion {
  /** False when the provider cannot delete (the gateway only forgets the room). */
  providerDeleted: boolean;
  detail?: string;
}

/** What a provider's webhook said, once verified. */
export type ProviderEvent = { kind: 'room-ended'; code: string; at: string } | { kind: 'room-started'; code: string } | { kind: 'other'; name: string };

export interface RoomProvider {
  readonly name: ProviderName;
  /** What /v1/config announces about dial-in (read at each request: a provider may learn it). */
  readonly telephony: { enabled: boolean; phoneNumber?: string };
  createRoom(input: CreateRoomInput): Promise<ProviderRoom>;
  deleteRoom(room: StoredRoom, owner: User): Promise<ProviderDeletion>;
  /** Throws when the provider cannot create rooms now (readiness). */
  check(): Promise<void>;
  /** The provider's current view of one room (access level, dial-in), for providers that keep rooms. */
  retrieveRoom?(room: StoredRoom, owner: User): Promise<ProviderRoom | null>;
  /** The provider's rooms of this agent, for providers that keep rooms. */
  listRooms?(owner: User): Promise<ProviderRoom[]>;
  /** Where `GET /j/{code}` sends this agent (providers whose links need a per-person token). */
  joinUrl?(room: StoredRoom, user: User): Promise<string>;
  /** Verifies and decodes a provider webhook; throws on a forged or tampered one. */
  receiveWebhook?(rawBody: string, authorization: string | undefined): Promise<ProviderEvent>;
}

/** What a provider is built with besides its own variables, once the gateway's settings are final. */
export interface ProviderContext {
  instanceUrl: string;
  /** Where the gateway is reached (VISIO_PUBLIC_URL, or where it listens). */
  publicUrl: string;
  /** The agent of local single-user mode; null with sign-in. */
  localUserEmail: string | null;
  store: Store;
  log: Logger;
}

/**
 * A room provider as the gateway composes it (providers/index.ts): its VISIO_PROVIDER name, the schema of
 * its own environment variables (checked at start-up; required ones only when it is the chosen provider),
 * and the factory that builds it from them.
 */
export interface ProviderDefinition<Schema extends z.ZodObject = z.ZodObject> {
  name: ProviderName;
  env: Schema;
  create(env: z.output<Schema>, context: ProviderContext): RoomProvider;
}
