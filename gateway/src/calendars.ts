/**
 * Visio rooms in CalDAV calendars: create a meeting, add or remove the room of an existing event, list
 * the upcoming meetings with a Visio link. Writes are conditional (If-Match); on 412 the object is read
 * again and the change re-applied, so a concurrent edit is never lost and one event gets one room.
 */
import { randomUUID } from 'node:crypto';
import type { RoomLink } from '@visio/shared';
import type { CalendarEventResult, Scheduling, UpcomingMeeting, UpcomingMeetings } from '@visio/shared/contract';
import { addRoomToIcs, buildMeetingIcs, IcsError, readEventInfo, readRoomFromIcs, readSchedulingInfo, removeRoomFromIcs, setIcsMethod, type MeetingInput } from '@visio/shared/ics';
import { decideScheduling, unchangedScheduling } from '@visio/shared/scheduling';
import type { Lang } from '@visio/shared';
import { readEventSchedule } from '@visio/shared/event-schedule';
import { findVisioLinks } from '@visio/shared/links';
import type { Agent } from 'undici';
import { createDiscoveryCache, openCaldavSession, type CaldavSession, type CalendarObject, type WriteResult } from './caldav/client.js';
import { createAllowlist, createCaldavAgent, createOriginLimiter, notAllowed, type CaldavSettings } from './caldav/guard.js';
import type { User } from './identity.js';
import type { Logger } from './logger.js';
import { createOccurrencePool } from './occurrence-pool.js';
import { ProblemError } from './problem.js';
import type { RoomService } from './rooms.js';
import type { CreateCalendarEventRequestParsed, CalendarEventRefParsed } from './calendar-types.js';

const MAX_ATTEMPTS = 10;
/** Calendars read at once by one upcoming-meetings request (the connection limit bounds it further); the benchmark's direct path uses the same. */
export const UPCOMING_CONCURRENCY = 4;
// Auth schemes are case-insensitive (RFC 9110 11.1); they are forwarded in their usual spelling.
const AUTHORIZATION = /^(?:(basic) +([A-Za-z0-9+/]+={0,2})|(bearer) +([A-Za-z0-9\-._~+/]+=*))$/i;
// A probe room, only to validate a new event before any room is created: bad input changes nothing.
const PROBE_ROOM: RoomLink = { code: 'aaa-aaaa-aaa', url: 'https://visio.invalid/aaa-aaaa-aaa' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `run` over `items`, at most `limit` at a time. */
async function mapLimit<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export interface CalendarServiceOptions {
  caldav: CaldavSettings;
  rooms: RoomService;
  instanceUrl: string;
  instanceName: string;
  log: Logger;
}

const invalidObject = (error: unknown) =>
  new ProblemError(
    422,
    'invalidCalendarObject',
    'Invalid calendar object',
    `The event on the CalDAV server is not valid iCalendar, so it was left unchanged: ${(error as Error).message.slice(0, 300)}`,
  );

/** Runs shared ICS code on server data: its errors mean the server's object is malformed. */
function onServerData<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof IcsError) throw invalidObject(error);
    throw error;
  }
}

function writeFailed(result: Extract<WriteResult, { ok: false }>, what: string): ProblemError {
  const { status, body } = result;
  if (/supported-calendar-component|supported-component/i.test(body)) {
    return new ProblemError(422, 'calendarRefusesEvents', 'Calendar refuses events', 'This calendar does not accept events (VEVENT): choose another calendar.');
  }
  if (status === 404 || status === 409) return new ProblemError(404, 'notFound', 'Not found', 'No calendar at this address.');
  if (status === 403) return new ProblemError(403, 'forbidden', 'Forbidden', `The CalDAV server refused to ${what}.`);
  return new ProblemError(502, 'upstream', 'CalDAV server error', `The CalDAV server answered ${status} when asked to ${what}.`);
}

export function createCalendarService(options: CalendarServiceOptions) {
  const { caldav, rooms, instanceUrl, instanceName, log } = options;
  const allowlist = createAllowlist(caldav);
  const agent: Agent = createCaldavAgent(caldav);
  const limiter = createOriginLimiter(caldav.connections);
  const discovery = createDiscoveryCache(caldav.discoveryTtlMs);
  const occurrences = createOccurrencePool({ objectMs: Math.min(250, caldav.expansionMs), maxIterations: 50_000, maxOccurrences: 1000 });

  /** A session for one request, from the X-CalDAV-Server and X-CalDAV-Authorization headers. */
  function session(serverHeader: string | undefined, authorization: string | undefined): CaldavSession {
    const credentials = authorization && authorization.length <= 8192 ? AUTHORIZATION.exec(authorization.trim()) : null;
    if (!credentials) {
      const message = authorization ? 'must be "Basic <base64>" or "Bearer <token>"' : 'required: your CalDAV credentials ("Basic <base64 of user:app-password>" or "Bearer <token>")';
      throw new ProblemError(400, 'validation', 'Invalid request', `X-CalDAV-Authorization: ${message}`, { errors: [{ path: 'X-CalDAV-Authorization', message }] });
    }
    let server: string;
    if (serverHeader) {
      if (!/^https?:\/\//i.test(serverHeader)) {
        throw new ProblemError(400, 'validation', 'Invalid request', 'X-CalDAV-Server: must be an absolute http(s) URL', {
          errors: [{ path: 'X-CalDAV-Server', message: 'must be an absolute http(s) URL' }],
        });
      }
      server = allowlist.resolve(serverHeader, serverHeader).href;
    } else if (caldav.servers.length === 1) {
      server = caldav.servers[0]!;
    } else if (caldav.servers.length === 0) {
      throw notAllowed('No CalDAV server is configured on this gateway (CALDAV_SERVERS).');
    } else {
      throw new ProblemError(400, 'validation', 'Invalid request', 'X-CalDAV-Server: required, this gateway allows several CalDAV servers', {
        errors: [{ path: 'X-CalDAV-Server', message: 'required' }],
      });
    }
    const normalized = credentials[1] ? `Basic ${credentials[2]}` : `Bearer ${credentials[4]}`;
    return openCaldavSession({ settings: caldav, allowlist, agent, server, authorization: normalized, limiter, cache: discovery, readMultistatus: occurrences.multistatus });
  }

  const calendarUrlOf = (s: CaldavSession, value: string) => {
    const url = allowlist.resolve(value, s.server);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href;
  };

  /** The agent's calendar user addresses (RFC 6638), or the sign-in e-mail where the server keeps none. */
  async function agentAddresses(s: CaldavSession, user: User): Promise<Set<string>> {
    const addresses = (await s.userAddresses().catch(() => [] as string[])).filter((a) => /^mailto:/i.test(a)).map((a) => a.replace(/^mailto:/i, '').toLowerCase());
    return new Set(addresses.length ? addresses : [user.email.toLowerCase()]);
  }

  /**
   * Were the invitations sent? Only the server can say: after an organizer's write it sets
   * SCHEDULE-STATUS on each attendee, so the object is read back. Otherwise the answer says what the
   * agent must do (shared/scheduling.ts).
   */
  async function scheduling(s: CaldavSession, user: User, calendarUrl: string, href: string, written: string, lang: Lang): Promise<Scheduling> {
    const info = onServerData(() => readSchedulingInfo(written));
    if (info.attendees.length === 0) return decideScheduling({ stored: info, serverSchedules: false, agent: new Set(), lang });
    const [serverSchedules, agent] = await Promise.all([s.autoSchedules(calendarUrl), agentAddresses(s, user)]);
    let stored = written;
    if (serverSchedules && info.organizer && agent.has(info.organizer)) {
      // A failed read leaves the statuses unknown: the answer then says the sending is unconfirmed.
      stored = await s.get(href).then(
        (o) => o.data,
        () => written,
      );
    }
    const storedInfo = onServerData(() => readSchedulingInfo(stored));
    const request = storedInfo.organizer ? onServerData(() => setIcsMethod(stored, 'REQUEST')) : undefined;
    return decideScheduling({ stored: storedInfo, serverSchedules, agent, request, lang });
  }

  /** The room an event already carries: ours (X-VISIO-ROOM) or any link of this Visio instance. */
  function roomIn(ics: string): RoomLink | null {
    const ours = onServerData(() => readRoomFromIcs(ics));
    if (ours) return ours;
    const [link] = findVisioLinks(ics, instanceUrl);
    return link ? { code: link.code, url: link.url } : null;
  }

  async function read(s: CaldavSession, calendarUrl: string, ref: { href?: string | undefined; uid?: string | undefined }, known: string | null): Promise<CalendarObject> {
    const object = known ? await s.get(known) : ref.href ? await s.get(allowlist.resolve(ref.href, calendarUrl).href) : await s.findByUid(calendarUrl, ref.uid!);
    if (!object.etag) throw new ProblemError(502, 'upstream', 'CalDAV server error', 'The CalDAV server gives no ETag, so the event cannot be changed safely.');
    return object;
  }

  const backoff = (attempt: number) => sleep(Math.random() * Math.min(10 * 2 ** attempt, 400));

  /**
   * PUT If-Match the ETag read. A weak one (W/"…") never matches under strong comparison (RFC 9110
   * 13.1.1): when the object did not change, it is tried once in its strong form, which lenient
   * servers match; a server that refuses both cannot be written safely, and saying so beats a 409 loop.
   */
  async function conditionalPut(s: CaldavSession, object: CalendarObject, patched: string): Promise<WriteResult> {
    const result = await s.put(object.url, patched, { etag: object.etag!, scheduleTag: object.scheduleTag });
    if (result.ok || result.status !== 412 || object.scheduleTag || !object.etag!.startsWith('W/')) return result;
    const unchanged = async () => {
      const now = await s.get(object.url);
      return now.etag === object.etag && now.data === object.data;
    };
    if (!(await unchanged())) return result;
    const strong = await s.put(object.url, patched, { etag: object.etag!.slice(2) });
    if (strong.ok || strong.status !== 412 || !(await unchanged())) return strong;
    throw new ProblemError(502, 'upstream', 'CalDAV server error', 'The CalDAV server gives this event a weak ETag (W/"…") and refuses it in If-Match, so the event cannot be changed safely.');
  }

  return {
    session,

    async listCalendars(s: CaldavSession) {
      return { server: s.server, calendars: await s.listCalendars() };
    },

    async createEvent(user: User, s: CaldavSession, body: CreateCalendarEventRequestParsed): Promise<CalendarEventResult> {
      const calendarUrl = calendarUrlOf(s, body.calendar);
      const { calendar: _calendar, ...fields } = body;
      const uid = randomUUID();
      const meeting = (room: RoomLink, organizer = fields.organizer): MeetingInput => ({ ...fields, ...(organizer ? { organizer } : {}), uid, room, instanceName });
      let schedule;
      try {
        schedule = readEventSchedule(buildMeetingIcs(meeting(PROBE_ROOM))).schedule;
      } catch (error) {
        if (error instanceof IcsError) throw new ProblemError(400, 'validation', 'Invalid request', error.message, { errors: [{ path: 'body', message: error.message }] });
        throw error;
      }
      const components = await s.components(calendarUrl);
      if (components && !components.includes('VEVENT')) {
        throw new ProblemError(422, 'calendarRefusesEvents', 'Calendar refuses events', `This calendar accepts only ${components.join(', ')}: choose another calendar.`);
      }
      const hasAttendees = (fields.attendees?.length ?? 0) > 0;
      let organizer = fields.organizer;
      if (!organizer && hasAttendees) {
        // Servers schedule for the organizer they recognise: the principal's own address, else the agent's.
        const address = (await s.userAddresses().catch(() => [] as string[])).find((a) => /^mailto:/i.test(a));
        organizer = { email: address ? address.replace(/^mailto:/i, '') : user.email, ...(user.name ? { name: user.name } : {}) };
      }
      const { room, created } = await rooms.create(user, { title: fields.title, eventUid: uid });
      const ics = buildMeetingIcs(meeting(room, organizer));
      const href = new URL(`${encodeURIComponent(uid)}.ics`, calendarUrl).href;
      let result: WriteResult;
      try {
        result = await s.put(href, ics, { create: true });
      } catch (error) {
        if (created) await rooms.remove(user, room.code).catch(() => undefined);
        throw error;
      }
      if (!result.ok) {
        if (created) await rooms.remove(user, room.code).catch(() => undefined);
        throw writeFailed(result, 'create the event');
      }
      // Saved: the room now follows the event (until then it was a draft the retention job may end).
      await rooms.attach(user, room.code, schedule).catch((error: unknown) => log.warn('room not attached to its event', { room: room.code, error }));
      log.info('calendar event created', { server: new URL(s.server).origin, room: room.code });
      return {
        href,
        uid,
        etag: result.etag,
        room: { code: room.code, url: room.url, ...(room.telephony ? { telephony: room.telephony } : {}) },
        changed: true,
        scheduling: await scheduling(s, user, calendarUrl, href, ics, fields.lang),
      };
    },

    /** With `prepare`, each read of the object is first rewritten by it (switch: foreign meetings removed). */
    async addVisio(user: User, s: CaldavSession, ref: CalendarEventRefParsed, options: { prepare?: (ics: string) => string } = {}): Promise<CalendarEventResult> {
      const calendarUrl = calendarUrlOf(s, ref.calendar);
      let known: string | null = null;
      // The room this call created, released if the event cannot be written: no orphaned rooms. A racing
      // call may have written the same room (rooms are keyed by UID): then the event keeps it.
      let ours: string | null = null;
      const release = async () => {
        if (!ours) return;
        const inEvent = await read(s, calendarUrl, ref, known).then(
          (now) => roomIn(now.data)?.code === ours,
          () => true, // unknown: a room kept beats an event pointing to a deleted one
        );
        if (!inEvent) await rooms.remove(user, ours).catch(() => undefined);
      };
      try {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const object = await read(s, calendarUrl, ref, known);
          known = object.url;
          const info = onServerData(() => readEventInfo(object.data));
          const data = options.prepare ? onServerData(() => options.prepare!(object.data)) : object.data;
          const existing = roomIn(data);
          const { schedule, cancelled } = onServerData(() => readEventSchedule(data));
          if (existing && data === object.data) {
            // Someone else's write won the race: the room made for a lost attempt is not needed.
            if (existing.code !== ours) await release();
            // The room follows the event as it is now: moved, or cancelled (then released).
            let roomReleased: boolean | undefined;
            if (cancelled)
              roomReleased = await rooms.remove(user, existing.code, undefined, 'cancelled').then(
                (r) => r.ended,
                () => false,
              );
            else await rooms.attach(user, existing.code, schedule).catch(() => undefined);
            return {
              href: object.url,
              uid: info.uid,
              etag: object.etag,
              room: existing,
              changed: false,
              ...(roomReleased === undefined ? {} : { roomReleased }),
              scheduling: unchangedScheduling(ref.lang),
            };
          }
          if (cancelled) throw new ProblemError(409, 'conflict', 'Event cancelled', 'This event is cancelled: no Visio room is added to it.');
          // One room per event and owner, even when many calls race here. No title: it is part of the
          // idempotency fingerprint, and a concurrent edit of SUMMARY must not make racing calls differ.
          let room = existing;
          if (!room) {
            const made = await rooms.create(user, { eventUid: info.uid });
            if (made.created) ours = made.room.code;
            room = made.room;
          }
          const patched = onServerData(() => addRoomToIcs(data, room, { lang: ref.lang, instanceName }));
          const result = await conditionalPut(s, object, patched);
          if (result.ok) {
            ours = null;
            await rooms.attach(user, room.code, schedule).catch((error: unknown) => log.warn('room not attached to its event', { room: room.code, error }));
            log.info('visio added to calendar event', { server: new URL(s.server).origin, room: room.code, attempts: attempt + 1 });
            return {
              href: object.url,
              uid: info.uid,
              etag: result.etag,
              room: { code: room.code, url: room.url, ...('telephony' in room && room.telephony ? { telephony: room.telephony } : {}) },
              changed: true,
              scheduling: await scheduling(s, user, calendarUrl, object.url, patched, ref.lang),
            };
          }
          if (result.status !== 412) throw writeFailed(result, 'update the event');
          await backoff(attempt);
        }
        throw new ProblemError(409, 'conflict', 'Event keeps changing', `The event changed ${MAX_ATTEMPTS} times while the room was being added; try again.`, { headers: { 'retry-after': '1' } });
      } catch (error) {
        await release();
        throw error;
      }
    },

    async removeVisio(user: User, s: CaldavSession, ref: CalendarEventRefParsed): Promise<CalendarEventResult> {
      const calendarUrl = calendarUrlOf(s, ref.calendar);
      let known: string | null = null;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const object = await read(s, calendarUrl, ref, known);
        known = object.url;
        const info = onServerData(() => readEventInfo(object.data));
        const existing = roomIn(object.data);
        const patched = onServerData(() => removeRoomFromIcs(object.data, { instanceUrl }));
        if (patched === object.data) {
          return { href: object.url, uid: info.uid, etag: object.etag, room: null, changed: false, scheduling: unchangedScheduling(ref.lang) };
        }
        const result = await conditionalPut(s, object, patched);
        if (result.ok) {
          // The room is released only once no event points to it any more.
          let roomReleased = false;
          if (existing) {
            roomReleased = await rooms.remove(user, existing.code, undefined, 'cancelled').then(
              () => true,
              () => false,
            );
          }
          log.info('visio removed from calendar event', { server: new URL(s.server).origin, room: existing?.code, released: roomReleased, attempts: attempt + 1 });
          return {
            href: object.url,
            uid: info.uid,
            etag: result.etag,
            room: null,
            changed: true,
            roomReleased,
            scheduling: await scheduling(s, user, calendarUrl, object.url, patched, ref.lang),
          };
        }
        if (result.status !== 412) throw writeFailed(result, 'update the event');
        await backoff(attempt);
      }
      throw new ProblemError(409, 'conflict', 'Event keeps changing', `The event changed ${MAX_ATTEMPTS} times while the room was being removed; try again.`, { headers: { 'retry-after': '1' } });
    },

    async upcoming(s: CaldavSession, hours: number, now = new Date()) {
      const from = now;
      const to = new Date(now.getTime() + hours * 3_600_000);
      const calendars = (await s.listCalendars()).filter((c) => c.acceptsEvents);
      // The expansion budget of the whole request: objects not started by then are reported, not expanded.
      const notAfter = performance.now() + caldav.expansionMs;
      const items: UpcomingMeeting[] = [];
      const skipped: UpcomingMeetings['skipped'] = [];
      // The bound is on calendar queries in flight: a lane sends its next REPORT while the worker pool still
      // expands the last answer's objects.
      const expansions: Promise<unknown>[] = [];
      await mapLimit(calendars, UPCOMING_CONCURRENCY, async (calendar) => {
        const { objects, unreadable } = await s.inRange(calendar.url, from, to);
        if (unreadable) skipped.push({ href: calendar.url, kind: 'invalid', reason: unreadable.slice(0, 200) });
        const expanding = Promise.all(
          objects.map(async (object) => {
            if (object.data.length > caldav.maxObjectBytes) {
              skipped.push({ href: object.url, kind: 'tooLarge', reason: `larger than ${caldav.maxObjectBytes} bytes (CALDAV_MAX_OBJECT_BYTES)` });
              return;
            }
            const expanded = await occurrences.expand(object.data, from, to, notAfter);
            if (!expanded.ok) {
              skipped.push({ href: object.url, kind: expanded.kind, reason: expanded.reason });
              return;
            }
            for (const o of expanded.occurrences) {
              if (o.status === 'CANCELLED') continue;
              const link = [o.location, ...o.links, o.description].map((text) => findVisioLinks(text, instanceUrl)[0]).find(Boolean);
              if (!link) continue;
              items.push({
                uid: o.uid,
                recurrenceId: o.recurrenceId,
                title: o.title,
                start: o.start,
                end: o.end,
                allDay: o.allDay,
                joinUrl: link.url,
                code: link.code,
                href: object.url,
                calendar: { url: calendar.url, displayName: calendar.displayName, color: calendar.color },
              });
            }
          }),
        );
        // Awaited below; until then a failure must not count as unhandled.
        expanding.catch(() => {});
        expansions.push(expanding);
      });
      await Promise.all(expansions);
      items.sort((a, b) => a.start.localeCompare(b.start) || a.href.localeCompare(b.href));
      skipped.sort((a, b) => a.href.localeCompare(b.href));
      return { from: from.toISOString(), to: to.toISOString(), items, skipped };
    },

    /**
     * Occurrences of one calendar object in [from, to), expanded off the event loop in the bounded worker
     * pool (per-object CPU budget, hard stop): a hostile series costs a worker its budget, never the
     * gateway's requests. Never rejects.
     */
    expand: (ics: string, from: Date, to: Date) => occurrences.expand(ics, from, to),

    close: () => Promise.all([agent.close(), occurrences.close()]).then(() => undefined),
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
