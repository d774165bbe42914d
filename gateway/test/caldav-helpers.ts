/** Helpers for the calendar tests: objects written and read on the CalDAV server directly, as a third party. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import ICAL from 'ical.js';
import type { CaldavSettings } from '../src/caldav/guard.js';

export const lines = (...l: string[]) => l.join('\r\n') + '\r\n';

export function eventIcs(
  uid: string,
  options: { summary?: string; start?: Date; minutes?: number; location?: string; description?: string; rrule?: string; attendees?: string[]; organizer?: string; extra?: string[] } = {},
): string {
  const start = options.start ?? new Date(Date.now() + 2 * 3_600_000);
  const end = new Date(start.getTime() + (options.minutes ?? 60) * 60_000);
  const stamp = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  return lines(
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//third party//test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${stamp(new Date())}`,
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(end)}`,
    `SUMMARY:${options.summary ?? 'Réunion'}`,
    ...(options.location ? [`LOCATION:${options.location}`] : []),
    ...(options.description ? [`DESCRIPTION:${options.description}`] : []),
    ...(options.rrule ? [`RRULE:${options.rrule}`] : []),
    ...(options.organizer ? [`ORGANIZER:mailto:${options.organizer}`] : []),
    ...(options.attendees ?? []).map((a) => `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${a}`),
    ...(options.extra ?? []),
    'END:VEVENT',
    'END:VCALENDAR',
  );
}

export async function davGet(url: string, authorization: string): Promise<{ status: number; etag: string | null; data: string }> {
  const r = await fetch(url, { headers: { authorization } });
  return { status: r.status, etag: r.headers.get('etag'), data: await r.text() };
}

export async function davPut(url: string, authorization: string, data: string, etag?: string): Promise<number> {
  const r = await fetch(url, { method: 'PUT', headers: { authorization, 'content-type': 'text/calendar; charset=utf-8', ...(etag ? { 'if-match': etag } : {}) }, body: data });
  await r.text();
  return r.status;
}

/** The VEVENTs of an object, parsed (servers reorder and refold: compare parsed values, not text). */
export function events(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  return calendar.getAllSubcomponents('vevent').map((e) => ({
    uid: String(e.getFirstPropertyValue('uid')),
    summary: String(e.getFirstPropertyValue('summary') ?? ''),
    location: String(e.getFirstPropertyValue('location') ?? ''),
    description: String(e.getFirstPropertyValue('description') ?? ''),
    url: String(e.getFirstPropertyValue('url') ?? ''),
    room: String(e.getFirstPropertyValue('x-visio-room') ?? ''),
    recurrenceId: e.hasProperty('recurrence-id'),
    attendees: e.getAllProperties('attendee').map((p) => String(p.getFirstValue())),
    properties: e.getAllProperties().map((p) => p.name),
  }));
}

/**
 * A proxy in front of a CalDAV server that lets a test act before a request is forwarded (a third
 * party editing the event between the gateway's read and its write) and records what it saw.
 */
export async function interceptingProxy(origin: string, before: (request: IncomingMessage, body: Buffer) => Promise<void>) {
  const seen: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      await before(req, body);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      const upstream = await fetch(`${origin}${req.url}`, { method: req.method!, headers, ...(chunks.length ? { body } : {}) });
      const text = await upstream.text();
      res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([k]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(k))));
      res.end(text);
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The object with this UID in a calendar, as its owner reads it (a scheduling server names the copy itself). */
export async function objectByUid(calendarUrl: string, authorization: string, uid: string): Promise<string | null> {
  const r = await fetch(calendarUrl, {
    method: 'REPORT',
    headers: { authorization, depth: '1', 'content-type': 'application/xml; charset=utf-8' },
    body:
      '<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop>' +
      `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">${uid}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
  });
  const xml = await r.text();
  const data = /<C:calendar-data[^>]*>([\s\S]*?)<\/C:calendar-data>/i.exec(xml)?.[1];
  return data
    ? data
        .replace(/&#13;/g, '\r')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
    : null;
}

/** Settings of a gateway that may reach `base` only (loopback test servers: private networks allowed when asked). */
export function caldavSettingsFor(base: string, privateNetworks: string[] = []): CaldavSettings {
  return {
    servers: [`${base}/`],
    privateNetworks,
    timeoutMs: 5_000,
    maxObjectBytes: 1 << 20,
    maxMultistatusBytes: 1 << 20,
    connections: 2,
    expansionMs: 1_000,
    discoveryTtlMs: 0,
  };
}

/** A test file's own HTTP server on a free loopback port, listening for the file's tests; `origin` once it listens. */
export function onLoopback(server: Server): { origin: string } {
  const site = { origin: '' };
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return site;
}
