/**
 * A thin CalDAV adapter over tsdav for one gateway request: every call goes through the guarded fetch
 * and carries the agent's own credentials, which are never stored.
 */
import { createHash } from 'node:crypto';
import * as dav from 'tsdav';
import type { Agent } from 'undici';
import { notFound, ProblemError } from '../problem.js';
import type { Multistatus } from '../occurrence-pool.js';
import { CaldavTransportError, createGuardedFetch, type Allowlist, type CaldavSettings, type OriginLimiter, type UpstreamAnswer } from './guard.js';

export interface CalendarInfo {
  url: string;
  displayName: string;
  color: string | null;
  components: string[];
  acceptsEvents: boolean;
}

export interface CalendarObject {
  url: string;
  etag: string | null;
  /** RFC 6638 Schedule-Tag, on servers that schedule: changes only with consequential edits. */
  scheduleTag?: string | null;
  data: string;
}

export type WriteResult = { ok: true; etag: string | null; url: string } | { ok: false; status: number; body: string };

/** Scheduling support per calendar collection: a server property, not a secret, cached a while. */
const schedulingCache = new Map<string, { auto: boolean; until: number }>();
const SCHEDULING_TTL_MS = 10 * 60_000;

/**
 * Discovery (principal, calendar home, calendar list) per agent and server, reused for a short while:
 * it costs several requests and rarely changes. Past that while, an entry whose calendar home offered
 * a change tag (CalendarServer getctag or RFC 6578 sync-token) is kept as long as the tag is the same,
 * checked with one request (for up to ten lifetimes). Keyed by a hash of the credentials, never the
 * credentials; dropped when the server answers 401, 403 or 404.
 */
export function createDiscoveryCache(ttlMs: number, maxEntries = 10_000) {
  type Entry = { account?: dav.DAVAccount; calendars?: CalendarInfo[]; homeTag?: string | null; until: number };
  const entries = new Map<string, Entry>();
  const find = (key: string, horizon: number) => {
    const entry = entries.get(key);
    if (entry && entry.until + horizon > Date.now()) return entry;
    if (entry && horizon > 0) entries.delete(key);
    return undefined;
  };
  return {
    key: (authorization: string, server: string) => createHash('sha256').update(`${server}\n${authorization}`).digest('base64url'),
    get: (key: string) => find(key, 0),
    /** An entry past its lifetime that a change tag may renew. */
    stale: (key: string) => find(key, 9 * ttlMs),
    set(key: string, value: Omit<Entry, 'until'>, renew = false) {
      if (ttlMs <= 0) return;
      const previous = entries.get(key);
      const until = (!renew && find(key, 0)?.until) || Date.now() + ttlMs;
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { ...previous, ...value, until });
    },
    drop: (key: string) => entries.delete(key),
  };
}

export type DiscoveryCache = ReturnType<typeof createDiscoveryCache>;

/** What the server last answered, for a failure the CalDAV library words vaguely. */
function describeAnswer(answer: UpstreamAnswer | null): string {
  if (!answer) return 'no answer';
  const { method, status, contentType } = answer;
  const path = new URL(answer.url).pathname.slice(0, 200);
  if (status >= 500) return `the server answered ${status} to ${method} ${path} (a server error)`;
  if (/html/i.test(contentType)) return `the server answered ${method} ${path} with an HTML page (${status}), not CalDAV (a login page or a proxy in the way)`;
  if (status >= 400) return `the server answered ${status} to ${method} ${path}`;
  return `the server's answer to ${method} ${path} (${status}) is not the CalDAV answer expected`;
}

export function openCaldavSession(options: {
  settings: CaldavSettings;
  allowlist: Allowlist;
  agent: Agent;
  server: string;
  authorization: string;
  limiter?: OriginLimiter;
  cache?: DiscoveryCache;
  /** Parses a multistatus off the event loop (a worker); large answers are read there. */
  readMultistatus?: (xml: string) => Promise<Multistatus>;
}) {
  const { allowlist, server } = options;
  const fetch = createGuardedFetch(options.settings, allowlist, options.agent, options.limiter);
  const headers = { authorization: options.authorization };
  const common = { headers, fetch: fetch as typeof globalThis.fetch };
  const cache = options.cache ?? createDiscoveryCache(0);
  const cacheKey = cache.key(options.authorization, server);
  let account: dav.DAVAccount | undefined = cache.get(cacheKey)?.account;

  /** A refusal or a vanished resource may mean discovery is stale: it is done again next time. */
  function forget(problem: ProblemError): never {
    if (problem.status === 401 || problem.status === 403 || problem.status === 404) cache.drop(cacheKey);
    throw problem;
  }

  /** Runs a tsdav call; a transport failure it swallowed or rewrapped comes out as its problem. */
  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      const failure = fetch.failure();
      if (failure) forget(failure.problem);
      return result;
    } catch (error) {
      const failure = fetch.failure();
      if (failure) forget(failure.problem);
      if (error instanceof CaldavTransportError) forget(error.problem);
      const answer = fetch.lastAnswer();
      // An address refused after the server answered well is the server pointing outside the allowlist.
      const refusal = fetch.refusal();
      if (refusal && (!answer || (answer.status < 300 && !/html/i.test(answer.contentType)))) forget(refusal);
      if (error instanceof ProblemError && error.type !== 'caldavNotAllowed') forget(error);
      forget(new ProblemError(502, 'upstream', 'CalDAV server error', `${what} failed: ${describeAnswer(answer)}.`));
    }
  }

  async function discover(): Promise<dav.DAVAccount> {
    if (!account) {
      account = await call('Calendar discovery', () => dav.createAccount({ account: { serverUrl: server, accountType: 'caldav' }, ...common }));
      // Every URL the server hands out is checked again before use.
      for (const url of [account.rootUrl, account.principalUrl, account.homeUrl]) if (url) allowlist.resolve(url, server);
      cache.set(cacheKey, { account });
    }
    return account;
  }

  function calendarData(props: Record<string, unknown> | undefined): string | null {
    const raw = props?.calendarData;
    if (typeof raw === 'string') return raw;
    if (raw && typeof raw === 'object') {
      const o = raw as { _cdata?: unknown; _text?: unknown };
      if (typeof o._cdata === 'string') return o._cdata;
      if (typeof o._text === 'string') return o._text;
    }
    return null;
  }

  async function query(calendarUrl: string, eventFilter: Record<string, unknown>): Promise<CalendarObject[]> {
    const responses = await call('Calendar query', () =>
      dav.calendarQuery({
        url: calendarUrl,
        props: { 'd:getetag': {}, 'c:calendar-data': {}, 'c:schedule-tag': {} },
        filters: { 'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': { _attributes: { name: 'VEVENT' }, ...eventFilter } } },
        depth: '1',
        ...common,
      }),
    );
    const objects: CalendarObject[] = [];
    for (const r of responses) {
      const data = calendarData(r.props);
      if (!r.href || data === null) continue;
      objects.push({ url: allowlist.resolve(r.href, calendarUrl).href, etag: etagOf(r.props?.getetag), scheduleTag: etagOf(r.props?.scheduleTag), data });
    }
    return objects;
  }

  /**
   * A calendar-query REPORT for VEVENTs matching `filterXml`, its answer parsed off the event loop by
   * `readMultistatus` (tsdav, with `eventFilter`, when there is none).
   */
  async function report(calendarUrl: string, eventFilter: Record<string, unknown>, filterXml: string): Promise<{ objects: CalendarObject[]; unreadable: string | null }> {
    if (!options.readMultistatus) return { objects: await query(calendarUrl, eventFilter), unreadable: null };
    const body =
      '<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">' +
      '<d:prop><d:getetag/><c:schedule-tag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">' +
      `${filterXml}</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
    const response = await fetch.send(calendarUrl, { method: 'REPORT', headers: { ...headers, depth: '1', 'content-type': 'application/xml; charset=utf-8' }, body });
    if (response.status === 404) forget(notFound('No calendar at this address.'));
    if (response.status === 403) forget(new ProblemError(403, 'forbidden', 'Forbidden', 'The CalDAV server does not let you read this calendar.'));
    if (response.status !== 207) throw new ProblemError(502, 'upstream', 'CalDAV server error', `Calendar query failed: ${describeAnswer(fetch.lastAnswer())}.`);
    const parsed = await options.readMultistatus(response.text());
    if (!parsed.ok) return { objects: [], unreadable: `the calendar's answer could not be read: ${parsed.reason}` };
    const objects: CalendarObject[] = [];
    for (const r of parsed.responses) {
      if (!r.href || r.data === null) continue;
      objects.push({ url: allowlist.resolve(r.href, calendarUrl).href, etag: etagOf(r.etag), scheduleTag: etagOf(r.scheduleTag), data: r.data });
    }
    return { objects, unreadable: null };
  }

  /** The calendar home's change tag, when the server offers one (getctag, else sync-token). */
  async function homeTag(homeUrl: string): Promise<string | null> {
    try {
      const [r] = await call('Reading the calendar home', () => dav.propfind({ url: homeUrl, props: { 'cs:getctag': {}, 'd:sync-token': {} }, depth: '0', ...common }));
      const tag = r?.ok ? (r.props?.getctag ?? r.props?.syncToken) : null;
      return typeof tag === 'string' && tag ? tag : null;
    } catch (error) {
      // Not offered or refused: the cache then lives its plain lifetime. A transport failure stays fatal.
      if (fetch.failure()) throw error;
      return null;
    }
  }

  return {
    server,
    fetch,

    async listCalendars(): Promise<CalendarInfo[]> {
      const cached = cache.get(cacheKey)?.calendars;
      if (cached) return cached;
      const old = cache.stale(cacheKey);
      if (old?.calendars && old.account?.homeUrl && old.homeTag) {
        if ((await homeTag(old.account.homeUrl)) === old.homeTag) {
          cache.set(cacheKey, old, true);
          return old.calendars;
        }
        account = undefined;
        cache.drop(cacheKey);
      }
      const acct = await discover();
      const calendars = await call('Listing calendars', () => dav.fetchCalendars({ account: acct, ...common }));
      const list = calendars.map((c) => {
        const components = (c.components ?? []).map((s) => s.toUpperCase());
        return {
          url: allowlist.resolve(c.url, server).href,
          displayName: typeof c.displayName === 'string' && c.displayName ? c.displayName : decodeURIComponent(new URL(c.url).pathname.split('/').filter(Boolean).pop() ?? ''),
          color: typeof c.calendarColor === 'string' && /^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(c.calendarColor) ? c.calendarColor : null,
          components,
          // No component set means every component (RFC 4791 5.2.3).
          acceptsEvents: components.length === 0 || components.includes('VEVENT'),
        };
      });
      cache.set(cacheKey, { calendars: list, homeTag: acct.homeUrl ? await homeTag(acct.homeUrl) : null });
      return list;
    },

    /** The principal's calendar user addresses (`mailto:…`), for ORGANIZER. */
    async userAddresses(): Promise<string[]> {
      const acct = await discover();
      return call('Reading your address', () => dav.fetchCalendarUserAddresses({ account: acct, ...common }));
    },

    async get(url: string): Promise<CalendarObject> {
      // Uncompressed: one object fits in TCP's first flight, so gzip saves no round trip, and inflating it
      // costs a thread-pool hop per read (a server that compresses anyway is still decoded, within the cap).
      const response = await fetch.send(url, { method: 'GET', headers: { ...headers, accept: 'text/calendar', 'accept-encoding': 'identity' } });
      if (response.status === 404 || response.status === 410) forget(notFound('No calendar event at this address.'));
      if (response.status === 403) forget(new ProblemError(403, 'forbidden', 'Forbidden', 'The CalDAV server does not let you read this event.'));
      if (!response.ok) throw new ProblemError(502, 'upstream', 'CalDAV server error', `Reading the event answered ${response.status}.`);
      return { url, etag: response.header('etag'), scheduleTag: response.header('schedule-tag'), data: response.text() };
    },

    async findByUid(calendarUrl: string, uid: string): Promise<CalendarObject> {
      const { objects: found, unreadable } = await report(
        calendarUrl,
        { 'prop-filter': { _attributes: { name: 'UID' }, 'text-match': { _attributes: { collation: 'i;octet' }, _text: uid } } },
        `<c:prop-filter name="UID"><c:text-match collation="i;octet">${escapeXml(uid)}</c:text-match></c:prop-filter>`,
      );
      if (unreadable) throw new ProblemError(502, 'upstream', 'CalDAV server error', `Looking the event up failed: ${unreadable}.`);
      const match = found.find((o) => uidsOf(o.data).includes(uid)) ?? found[0];
      if (!match) throw notFound('No event with this UID in this calendar.');
      return match;
    },

    /** The objects with an instance in [start, end) (calendar-query REPORT, RFC 4791 7.8); `unreadable` says why an answer could not be read. */
    async inRange(calendarUrl: string, start: Date, end: Date): Promise<{ objects: CalendarObject[]; unreadable: string | null }> {
      const stamp = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
      return report(calendarUrl, { 'time-range': { _attributes: { start: stamp(start), end: stamp(end) } } }, `<c:time-range start="${stamp(start)}" end="${stamp(end)}"/>`);
    },

    /**
     * PUT with If-None-Match: * (create), or If-Schedule-Tag-Match when the server gave a Schedule-Tag
     * (RFC 6638 3.2.10: attendees' replies merged in meanwhile are no conflict), else If-Match.
     */
    async put(url: string, data: string, condition: { etag: string; scheduleTag?: string | null | undefined } | { create: true }): Promise<WriteResult> {
      const conditional: Record<string, string> =
        'create' in condition ? { 'if-none-match': '*' } : condition.scheduleTag ? { 'if-schedule-tag-match': condition.scheduleTag } : { 'if-match': condition.etag };
      const response = await fetch.send(url, { method: 'PUT', headers: { ...headers, ...conditional, 'content-type': 'text/calendar; charset=utf-8' }, body: data });
      if (response.ok) return { ok: true, etag: response.header('etag'), url };
      return { ok: false, status: response.status, body: response.text().slice(0, 2000) };
    },

    /** The calendar's supported components (PROPFIND depth 0). */
    async components(calendarUrl: string): Promise<string[] | null> {
      const [r] = await call('Reading the calendar', () => dav.propfind({ url: calendarUrl, props: { [`c:supported-calendar-component-set`]: {}, 'd:resourcetype': {} }, depth: '0', ...common }));
      if (!r || r.status === 404) throw notFound('No calendar at this address.');
      const set = r.props?.supportedCalendarComponentSet as { comp?: unknown } | undefined;
      const comps = [set?.comp]
        .flat(2)
        .map((c) => (c as { _attributes?: { name?: string } } | undefined)?._attributes?.name)
        .filter((n): n is string => typeof n === 'string');
      const types = JSON.stringify(r.props?.resourcetype ?? {});
      if (!types.includes('calendar')) throw new ProblemError(422, 'calendarRefusesEvents', 'Not a calendar', 'This address is not a CalDAV calendar.');
      return comps.length ? comps.map((c) => c.toUpperCase()) : null;
    },

    /** True when the server schedules itself (RFC 6638 `calendar-auto-schedule` in the DAV header). */
    async autoSchedules(calendarUrl: string): Promise<boolean> {
      const cached = schedulingCache.get(calendarUrl);
      if (cached && cached.until > Date.now()) return cached.auto;
      const response = await fetch.send(calendarUrl, { method: 'OPTIONS', headers });
      const auto = (response.header('dav') ?? '').split(',').some((t) => t.trim().toLowerCase() === 'calendar-auto-schedule');
      if (schedulingCache.size > 1000) schedulingCache.clear();
      schedulingCache.set(calendarUrl, { auto, until: Date.now() + SCHEDULING_TTL_MS });
      return auto;
    },
  };
}

export type CaldavSession = ReturnType<typeof openCaldavSession>;

function etagOf(raw: unknown): string | null {
  return typeof raw === 'string' && raw ? (raw.startsWith('"') || raw.startsWith('W/') ? raw : `"${raw}"`) : null;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function uidsOf(ics: string): string[] {
  return [...ics.replace(/\r?\n[ \t]/g, '').matchAll(/^UID:(.*)$/gim)].map((m) => m[1]!.trim());
}
