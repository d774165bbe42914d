/** A room provider turns "a room for this agent" into a joinable Visio room. */
import type { AccessLevel, ProviderName, Telephony } from '@visio/shared';
import type { User } from '../identity.js';
import type { StoredRoom } from '../store/store.js';

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

export interface RoomProvider {
  readonly name: ProviderName;
  /** What /v1/config announces about dial-in. */
  readonly telephony: { enabled: boolean; phoneNumber?: string };
  createRoom(input: CreateRoomInput): Promise<ProviderRoom>;
  deleteRoom(room: StoredRoom, owner: User): Promise<ProviderDeletion>;
  /** Throws when the provider cannot create rooms now (readiness). */
  check(): Promise<void>;
}
