/**
 * A CalDAV server on loopback that answers like a minimal RFC 4791 server (discovery by
 * current-user-principal and calendar-home-set, a calendar-query REPORT that returns every object,
 * GET, conditional PUT with strong ETag comparison as RFC 9110 13.1.1 requires) until told to
 * misbehave. Each kind of request can be switched to a hostile answer: a server error, an HTML login
 * page, malformed XML, a gzip bomb, a gigantic body, a body that trickles, no answer at all, or a
 * redirect out of the allowed base path. It does not filter by time range: every object is returned,
 * as a careless or hostile server may do.
 *
 * Misbehaviour is chosen by `mode` per kind of request, or per request (for concurrent fuzzing): a
 * path segment `m-<misbehaviour>` (any calendar `/dav/alice/<name>/` exists) or the Basic user name
 * `m-<misbehaviour>` (then discovery misbehaves).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createGzip } from 'node:zlib';

export type Misbehaviour = 'normal' | 'status500' | 'html' | 'malformed' | 'gzipBomb' | 'huge' | 'slowBody' | 'hang' | 'redirectOutside' | 'redirectDotdot';
export type RequestKind = 'discovery' | 'report' | 'get' | 'put';

export interface HostileCaldav {
  /** Base URL to allow: `http://127.0.0.1:<port>/dav/`. */
  url: string;
  calendarUrl: string;
  objects: Map<string, { data: string; etag: string }>;
  mode: Partial<Record<RequestKind, Misbehaviour>>;
  /** ETags written as W/"…" (and, since strong comparison never matches a weak tag, every If-Match fails). */
  weakEtags: boolean;
  /** Matches If-Match on the opaque tag, ignoring W/ (what lenient servers do). */
  lenientIfMatch: boolean;
  /** Where redirectOutside points. */
  outside: string;
  /** The calendar home's getctag (changes when its calendars change). */
  homeTag: string;
  /** Every request, with the Authorization header it carried. */
  hits: { method: string; path: string; authorization: string | undefined }[];
  /** Each answer waits this long (a slow small server); `maxInFlight` is the most requests handled at once. */
  delayMs: number;
  maxInFlight: number;
  close(): Promise<void>;
}

const xml = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">${body}</d:multistatus>`;
const response = (href: string, props: string) => `<d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startHostileCaldav(): Promise<HostileCaldav> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let etagCounter = 0;
  const state: HostileCaldav = {
    url: '',
    calendarUrl: '',
    objects: new Map(),
    mode: {},
    weakEtags: false,
    lenientIfMatch: false,
    outside: 'http://127.0.0.1:9/',
    homeTag: 'home-1',
    hits: [],
    delayMs: 0,
    maxInFlight: 0,
    close: async () => undefined,
  };
  const newEtag = () => (state.weakEtags ? `W/"${++etagCounter}"` : `"${++etagCounter}"`);

  const MODES = new Set<string>(['normal', 'status500', 'html', 'malformed', 'gzipBomb', 'huge', 'slowBody', 'hang', 'redirectOutside', 'redirectDotdot']);
  function modeOf(kind: RequestKind, req: IncomingMessage): Misbehaviour {
    const inPath = /\/m-([A-Za-z0-9]+)\//.exec(req.url ?? '')?.[1];
    if (inPath && MODES.has(inPath)) return inPath as Misbehaviour;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const user = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] : '';
    if (kind === 'discovery' && user?.startsWith('m-') && MODES.has(user.slice(2))) return user.slice(2) as Misbehaviour;
    return state.mode[kind] ?? 'normal';
  }

  function misbehave(kind: RequestKind, req: IncomingMessage, res: ServerResponse): boolean {
    const mode = modeOf(kind, req);
    switch (mode) {
      case 'normal':
        return false;
      case 'status500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return true;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><body><form action="/login"><input name="user"></form></body></html>');
        return true;
      case 'malformed':
        res
          .writeHead(207, { 'content-type': 'application/xml; charset=utf-8' })
          .end('<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/alice/work/x.ics</d:href><d:propstat><d:prop><c:calendar-data');
        return true;
      case 'gzipBomb': {
        // Zeros compress about 1000:1: a gigabyte arrives as about a megabyte, produced as fast as it is read.
        res.writeHead(kind === 'get' ? 200 : 207, { 'content-type': kind === 'get' ? 'text/calendar' : 'application/xml', 'content-encoding': 'gzip' });
        const gzip = createGzip();
        gzip.pipe(res);
        const zeros = Buffer.alloc(1 << 16);
        let sent = 0;
        const pump = () => {
          while (sent < 1 << 30) {
            sent += zeros.length;
            if (!gzip.write(zeros)) return void gzip.once('drain', pump);
          }
          gzip.end();
        };
        res.on('close', () => gzip.destroy());
        pump();
        return true;
      }
      case 'huge': {
        const event = hugeEvent();
        res.writeHead(kind === 'get' ? 200 : 207, { 'content-type': kind === 'get' ? 'text/calendar' : 'application/xml' });
        res.end(kind === 'get' ? event : xml(response(`${new URL(state.calendarUrl).pathname}huge.ics`, `<d:getetag>"h"</d:getetag><c:calendar-data>${escapeXml(event)}</c:calendar-data>`)));
        return true;
      }
      case 'slowBody': {
        res.writeHead(kind === 'get' ? 200 : 207, { 'content-type': kind === 'get' ? 'text/calendar' : 'application/xml' });
        res.write('<?xml version="1.0"?>');
        const timer = setInterval(() => res.write(' '), 100);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return true;
      }
      case 'hang':
        return true;
      case 'redirectOutside':
        res.writeHead(307, { location: `${state.outside}${req.url}` }).end();
        return true;
      case 'redirectDotdot':
        res.writeHead(307, { location: '/dav/alice/../../../../etc/passwd' }).end();
        return true;
    }
  }

  let inFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!state.delayMs) return handle(req, res, body);
      const timer = setTimeout(() => handle(req, res, body), state.delayMs);
      timers.add(timer);
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    state.hits.push({ method, path, authorization: req.headers.authorization });
    const home = '/dav/alice/';
    // Every collection under the home is a calendar holding the same objects.
    const calendar = /^\/dav\/alice\/[^/]+\//.exec(path)?.[0] ?? `${home}work/`;
    if (path === '/.well-known/caldav') return void res.writeHead(404).end();
    if (method === 'OPTIONS') return void res.writeHead(200, { dav: '1, 2, calendar-access', allow: 'OPTIONS, GET, PUT, PROPFIND, REPORT' }).end();
    if (method === 'PROPFIND') {
      if (misbehave('discovery', req, res)) return;
      const depth = req.headers.depth ?? '0';
      let answer = '';
      if (path === '/dav/' || path === home) {
        answer = response(
          path,
          `<d:current-user-principal><d:href>${home}</d:href></d:current-user-principal><c:calendar-home-set><d:href>${home}</d:href></c:calendar-home-set><d:resourcetype><d:collection/></d:resourcetype>${path === home ? `<cs:getctag>${state.homeTag}</cs:getctag>` : ''}`,
        );
        if (path === home && depth === '1') answer += calendarResponse(calendar);
      } else if (path === calendar) {
        answer = calendarResponse(calendar);
      } else return void res.writeHead(404).end();
      return void res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' }).end(xml(answer));
    }
    if (method === 'REPORT' && path === calendar) {
      if (misbehave('report', req, res)) return;
      const answer = [...state.objects]
        .map(([name, o]) => response(`${calendar}${name}`, `<d:getetag>${escapeXml(o.etag)}</d:getetag><c:calendar-data>${escapeXml(o.data)}</c:calendar-data>`))
        .join('');
      return void res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' }).end(xml(answer));
    }
    let name: string | null = null;
    try {
      name = path.startsWith(calendar) ? decodeURIComponent(path.slice(calendar.length)) : null;
    } catch {
      return void res.writeHead(400).end();
    }
    if (method === 'GET' && name !== null) {
      if (misbehave('get', req, res)) return;
      const o = state.objects.get(name);
      if (!o) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', etag: o.etag }).end(o.data);
    }
    if (method === 'PUT' && name !== null) {
      if (misbehave('put', req, res)) return;
      const o = state.objects.get(name);
      const ifMatch = req.headers['if-match'];
      const ifNoneMatch = req.headers['if-none-match'];
      const opaque = (tag: string) => tag.replace(/^W\//, '');
      if (ifNoneMatch === '*' && o) return void res.writeHead(412).end();
      if (ifMatch !== undefined) {
        // Strong comparison: a weak tag on either side never matches.
        const matches = o && (state.lenientIfMatch ? opaque(ifMatch) === opaque(o.etag) : !ifMatch.startsWith('W/') && !o.etag.startsWith('W/') && ifMatch === o.etag);
        if (!matches) return void res.writeHead(412).end();
      }
      const etag = newEtag();
      state.objects.set(name, { data: body, etag });
      return void res.writeHead(o ? 204 : 201, { etag }).end();
    }
    res.writeHead(405).end();
  }

  const calendarResponse = (href: string) =>
    response(
      href,
      '<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Travail</d:displayname><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set><cs:getctag>1</cs:getctag>',
    );

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  state.url = `${origin}/dav/`;
  state.calendarUrl = `${origin}/dav/alice/work/`;
  state.close = async () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return state;
}

/** An 18 MB event: one VEVENT with a very long DESCRIPTION, folded at 75 octets as RFC 5545 3.1 requires. */
let huge: string | null = null;
export function hugeEvent(): string {
  if (huge) return huge;
  const text = 'x'.repeat(18 * 1024 * 1024);
  const folded = `DESCRIPTION:${text}`.match(/.{1,74}/g)!.join('\r\n ');
  huge = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//hostile//test//EN',
    'BEGIN:VEVENT',
    'UID:huge',
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20991201T100000Z',
    'DTEND:20991201T110000Z',
    'SUMMARY:Huge',
    folded,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  return huge;
}
