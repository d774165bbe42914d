/** The gateway as the extension uses it: the shared client, configured from the settings. */
import { createVisioClient, VisioApiError, type VisioClient } from '@visio/shared/client';
import type { Room } from '@visio/shared/contract';
import { findVisioLinks } from '@visio/shared/links';
import type { Lang } from '@visio/shared/types';
import { tokenSource } from './auth.js';
import type { Settings } from './settings.js';

export function gatewayClient(settings: Pick<Settings, 'gatewayUrl'>): VisioClient {
  return createVisioClient({ baseUrl: settings.gatewayUrl, clientName: 'browser', auth: tokenSource });
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
 * Meetings of the next hours from GET /v1/meetings/upcoming (CalDAV-backed gateways). Null when the gateway
 * has no such route (404 without a problem of ours, or notFound on the route itself). Only links on the
 * configured Visio instance are kept: the popup never opens an arbitrary URL it was handed.
 */
export async function fetchUpcoming(client: VisioClient, instanceUrl: string, hours: number): Promise<UpcomingMeeting[] | null> {
  let body: unknown;
  try {
    body = await client.request('GET', `/v1/meetings/upcoming?hours=${hours}`);
  } catch (error) {
    if (error instanceof VisioApiError && error.kind === 'http' && (error.status === 404 || error.status === 501)) return null;
    throw error;
  }
  const items = Array.isArray(body) ? body : Array.isArray((body as { items?: unknown })?.items) ? (body as { items: unknown[] }).items : [];
  const out: UpcomingMeeting[] = [];
  for (const raw of items) {
    const item = raw as Record<string, unknown>;
    const start = new Date(String(item.start ?? ''));
    if (Number.isNaN(start.getTime())) continue;
    const end = item.end ? new Date(String(item.end)) : null;
    const linkText = [item.joinUrl, item.url, item.link].filter((v) => typeof v === 'string').join(' ');
    const link = findVisioLinks(linkText, instanceUrl)[0];
    if (!link) continue;
    out.push({
      title: typeof item.title === 'string' ? item.title : typeof item.summary === 'string' ? item.summary : '',
      start,
      end: end && !Number.isNaN(end.getTime()) ? end : null,
      url: link.url,
      code: link.code,
      ...(typeof item.calendar === 'string' ? { calendar: item.calendar } : {}),
    });
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

export function formatTime(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}
