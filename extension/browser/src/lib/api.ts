/** The gateway as the extension uses it: the shared client, configured from the settings. */
import { basicCaldavAuthorization, createVisioClient, type VisioClient } from '@visio/shared/client';
import type { Room } from '@visio/shared/contract';
import { findVisioLinks } from '@visio/shared/links';
import type { Lang } from '@visio/shared/types';
import { tokenSource } from './auth.js';
import browser from './browser.js';
import type { Settings } from './settings.js';

export function gatewayClient(settings: Pick<Settings, 'gatewayUrl'>): VisioClient {
  return createVisioClient({ baseUrl: settings.gatewayUrl, clientName: 'browser', auth: tokenSource(settings.gatewayUrl) });
}

/** A new room with the agent's default access level; the idempotency key makes a network retry safe. */
export function createMeeting(client: VisioClient, settings: Pick<Settings, 'accessLevel'>, title?: string): Promise<Room> {
  return client.createRoom(
    { ...(title ? { title: title.slice(0, 255) } : {}), ...(settings.accessLevel !== 'default' ? { accessLevel: settings.accessLevel } : {}) },
    { idempotencyKey: crypto.randomUUID() },
  );
}

export interface UpcomingMeeting {
  title: string;
  start: Date;
  end: Date | null;
  /** Canonical join URL on the configured instance. */
  url: string;
  code: string;
  calendar?: string;
}

/** The agent's CalDAV account, from the options page (storage.local): the gateway never keeps it. */
export interface CaldavAccount {
  /** One of the gateway's CALDAV_SERVERS; empty when the gateway allows only one. */
  server: string;
  user: string;
  password: string;
}

export const CALDAV_KEY = 'caldav';

export async function loadCaldavAccount(): Promise<CaldavAccount | null> {
  const raw = (await browser.storage.local.get(CALDAV_KEY))[CALDAV_KEY] as Partial<CaldavAccount> | undefined;
  if (!raw || typeof raw.user !== 'string' || typeof raw.password !== 'string' || !raw.user || !raw.password) return null;
  return { server: typeof raw.server === 'string' ? raw.server : '', user: raw.user, password: raw.password };
}

/**
 * Meetings of the next hours from GET /v1/meetings/upcoming (the shared client's `upcomingMeetings`). Null
 * when no CalDAV account is set. Only links on the configured Visio instance are kept: the popup never opens
 * an arbitrary URL it was handed.
 */
export async function fetchUpcoming(client: VisioClient, instanceUrl: string, hours: number, account: CaldavAccount | null): Promise<UpcomingMeeting[] | null> {
  if (!account) return null;
  const body = await client.upcomingMeetings(hours, {
    authorization: basicCaldavAuthorization(account.user, account.password),
    ...(account.server ? { server: account.server } : {}),
  });
  const out: UpcomingMeeting[] = [];
  for (const item of body.items) {
    const start = new Date(item.start);
    if (Number.isNaN(start.getTime())) continue;
    const end = new Date(item.end);
    const link = findVisioLinks(item.joinUrl, instanceUrl)[0];
    if (!link) continue;
    out.push({
      title: item.title,
      start,
      end: Number.isNaN(end.getTime()) ? null : end,
      url: link.url,
      code: link.code,
      calendar: item.calendar.displayName,
    });
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

export function formatTime(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}
