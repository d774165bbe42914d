/** The gateway as the extension uses it: the shared client, configured from the settings. */
import { basicCaldavAuthorization, createVisioClient, type VisioClient } from '@visio/shared/client';
import type { Room } from '@visio/shared/contract';
import { findVisioLinks } from '@visio/shared/links';
import type { Lang } from '@visio/shared/types';
import { tokenSource } from './auth.js';
import browser, { sessionArea } from './browser.js';
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

/**
 * The agent's CalDAV account, from the options page: in storage.session (memory only, gone when the browser
 * closes) unless the agent chose to remember it on this computer (storage.local). The gateway never keeps it.
 */
export interface CaldavAccount {
  /** One of the gateway's CALDAV_SERVERS; empty when the gateway allows only one. */
  server: string;
  user: string;
  password: string;
}

export const CALDAV_KEY = 'caldav';

function parseAccount(raw: unknown): CaldavAccount | null {
  const a = raw as Partial<CaldavAccount> | undefined;
  if (!a || typeof a.user !== 'string' || typeof a.password !== 'string' || !a.user || !a.password) return null;
  return { server: typeof a.server === 'string' ? a.server : '', user: a.user, password: a.password };
}

export async function loadCaldavAccount(): Promise<(CaldavAccount & { remembered: boolean }) | null> {
  const session = sessionArea();
  const inSession = session ? parseAccount((await session.get(CALDAV_KEY))[CALDAV_KEY]) : null;
  if (inSession) return { ...inSession, remembered: false };
  const remembered = parseAccount((await browser.storage.local.get(CALDAV_KEY))[CALDAV_KEY]);
  return remembered ? { ...remembered, remembered: true } : null;
}

/** Keeps the account where the agent chose (one place only); null forgets it everywhere. */
export async function saveCaldavAccount(account: CaldavAccount | null, remember: boolean): Promise<void> {
  const session = sessionArea();
  if (account && remember) {
    await browser.storage.local.set({ [CALDAV_KEY]: account });
    await session?.remove(CALDAV_KEY);
  } else if (account && session) {
    await session.set({ [CALDAV_KEY]: account });
    await browser.storage.local.remove(CALDAV_KEY);
  } else {
    await session?.remove(CALDAV_KEY);
    await browser.storage.local.remove(CALDAV_KEY);
  }
}

/** Checks the account against the calendar server through the gateway (its calendar discovery, a PROPFIND). */
export async function checkCaldavAccount(client: VisioClient, account: CaldavAccount): Promise<void> {
  await client.listCalendars({ authorization: basicCaldavAuthorization(account.user, account.password), ...(account.server ? { server: account.server } : {}) });
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
