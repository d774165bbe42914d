/**
 * What to write where, from what the item holds now: pure functions, so every body shape Outlook produces
 * is tested without Office. Only the fields that change are returned, so nothing is rewritten for nothing.
 */
import { hasInvitation, putInvitation, removeInvitation } from '@visio/shared/event-fields';
import { findVisioLinks } from '@visio/shared/links';
import { isRoomCode } from '@visio/shared/room-code';
import { addLinkToLocation, removeLinksFromLocation } from './location.js';

export type BodyType = 'html' | 'text';

/** What the add-in remembers in the item's custom properties. */
export interface StoredRoom {
  code: string;
  url: string;
}

export interface ItemSnapshot {
  bodyType: BodyType;
  body: string;
  /** Appointments only; undefined on messages. */
  location?: string | undefined;
}

export interface Change {
  body?: string;
  location?: string;
}

export interface RenderedBlock {
  html: string;
  text: string;
}

export function planAdd(item: ItemSnapshot, block: RenderedBlock, room: StoredRoom, instanceUrl: string): Change {
  const change: Change = {};
  const body = putInvitation(item.body, item.bodyType, block);
  if (body !== item.body) change.body = body;
  if (item.location !== undefined) {
    const location = addLinkToLocation(item.location, room.url, instanceUrl);
    if (location !== item.location) change.location = location;
  }
  return change;
}

/** Codes of the Visio links inside the body's Visio block (none outside it is ours to remove). */
export function blockCodes(item: ItemSnapshot, instanceUrl: string): string[] {
  const without = removeInvitation(item.body, item.bodyType);
  if (without === item.body) return [];
  const inside = new Set(findVisioLinks(item.body, instanceUrl).map((l) => l.code));
  for (const l of findVisioLinks(without, instanceUrl)) inside.delete(l.code);
  return [...inside];
}

export function planRemove(item: ItemSnapshot, room: StoredRoom | null, instanceUrl: string): Change {
  const change: Change = {};
  const codes = new Set(blockCodes(item, instanceUrl));
  if (room) codes.add(room.code);
  const body = removeInvitation(item.body, item.bodyType);
  if (body !== item.body) change.body = body;
  if (item.location !== undefined && codes.size > 0) {
    const location = removeLinksFromLocation(item.location, instanceUrl, codes);
    if (location !== item.location) change.location = location;
  }
  return change;
}

/** After a time or attendee change: the block and the link must still be there (Outlook may rewrite the body). */
export function planRepair(item: ItemSnapshot, block: RenderedBlock, room: StoredRoom, instanceUrl: string): Change {
  const intact = hasInvitation(item.body) && findVisioLinks(item.body, instanceUrl).some((l) => l.code === room.code);
  const change = planAdd(item, block, room, instanceUrl);
  if (intact) delete change.body;
  return change;
}

/** The link to join: the location first (what Outlook shows), then the body. */
export function findJoinUrl(item: { location?: string | undefined; body: string }, instanceUrl: string): string | null {
  return findVisioLinks(item.location ?? '', instanceUrl)[0]?.url ?? findVisioLinks(item.body, instanceUrl)[0]?.url ?? null;
}

export function parseStoredRoom(value: unknown): StoredRoom | null {
  if (typeof value !== 'object' || value === null) return null;
  const { code, url } = value as Record<string, unknown>;
  if (typeof code !== 'string' || typeof url !== 'string' || !isRoomCode(code) || !/^https?:\/\//.test(url)) return null;
  return { code, url };
}
