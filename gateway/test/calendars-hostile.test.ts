/**
 * The calendar routes against a hostile CalDAV server (hostile-caldav.ts): hostile recurring series,
 * bombs, huge and slow answers, escapes from the allowed base path. Radicale is not used here: its
 * own time-range filter does not finish on a FREQ=SECONDLY series started a year ago.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIcs } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';
import { startHostileCaldav, type HostileCaldav } from './hostile-caldav.ts';
import { teamsProperties } from './switch-fixtures.ts';

const AUTH = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
const LINK = 'https://visio.numerique.gouv.fr/abc-defg-hij';
const DAY = 86_400_000;
const stamp = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

let dav: HostileCaldav;
let trap: Server;
let trapHits = 0;

beforeAll(async () => {
  dav = await startHostileCaldav();
  trap = createServer((_req, res) => {
    trapHits++;
    res.end('reached');
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  dav.outside = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
});
afterAll(async () => {
  await dav?.close();
  trap?.closeAllConnections();
  await new Promise((r) => trap.close(r));
});

const reset = () => {
  dav.objects.clear();
  dav.mode = {};
  dav.weakEtags = false;
  dav.lenientIfMatch = false;
  dav.delayMs = 0;
  dav.hits.length = 0;
  dav.homeTag = 'home-1';
};
const call = (gw: TestGateway, method: string, path: string, body?: unknown, authorization = AUTH) =>
  gw.json(path, { method, headers: { 'x-caldav-authorization': authorization }, ...(body === undefined ? {} : { body }) });
const put = (name: string, data: string) => dav.objects.set(name, { data, etag: `"${name}-1"` });
const roomCount = async (gw: TestGateway) => (await gw.json('/v1/rooms?limit=100')).body.items.length;

function seriesIcs(uid: string, rrule: string, start: Date, extra: string[] = []) {
  return eventIcs(uid, { start, minutes: 1, rrule, location: LINK, extra });
}

/** The gateway process's event-loop delay since the last reading (event-loop-delay.mjs, on SIGUSR2). */
async function loopDelay(gateway: GatewayProcess): Promise<{ maxMs: number; p99Ms: number; maxOwnMs: number; samples: number }> {
  const seen = gateway.output().stderr.split('event-loop-delay ').length;
  process.kill(gateway.pid, 'SIGUSR2');
  for (;;) {
    const parts = gateway.output().stderr.split('event-loop-delay ');
    if (parts.length > seen) return JSON.parse(parts[parts.length - 1]!.split('\n')[0]!);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `request` while /healthz is asked again and again; the gateway's event-loop delay meanwhile. */
async function probed<T>(gateway: GatewayProcess, request: () => Promise<T>) {
  await loopDelay(gateway);
  let healthChecks = 0;
  let done = false;
  const probing = (async () => {
    while (!done) {
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      healthChecks++;
    }
  })();
  const answer = await request();
  done = true;
  await probing;
  return { answer, delay: await loopDelay(gateway), healthChecks };
}

describe('hostile recurring series', () => {
  // The built gateway in its own process, so that the delay measured is the gateway's, not the test runner's.
  let gateway: GatewayProcess;
  beforeAll(async () => {
    // The request's expansion budget is wall time: generous here, so that on a loaded machine the sane
    // series are always reached after the hostile ones have spent their own (per-object) budgets.
    // Logs off: Node writes to a pipe synchronously, and this busy test process may be slow to drain it.
    gateway = await startGatewayProcess({ CALDAV_SERVERS: dav.url, CALDAV_TIMEOUT_MS: '10000', CALDAV_EXPANSION_MS: '30000', LOG_LEVEL: 'warn' }, 30_000, [
      '--import',
      join(import.meta.dirname, 'fixtures', 'event-loop-delay.mjs'),
    ]);
    // The machine is shared (2 cores, many test runs at once): the gateway's threads get the CPU first,
    // so that the delay measured is what the gateway's own work causes, not what other programs do.
    // Threads inherit it; the expansion workers start later, from the main thread.
    setPriority(gateway.pid, -20);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
  });
  const upcoming = async () => {
    const r = await fetch(`${gateway.url}/v1/meetings/upcoming?hours=24`, { headers: { 'x-caldav-authorization': AUTH } });
    return { status: r.status, body: (await r.json()) as any };
  };

  it('never blocks the event loop more than 50 ms, lists the sane series right and reports the others in skipped', async () => {
    reset();
    // The first request loads code and starts the worker: not what is measured here.
    expect((await upcoming()).status).toBe(200);
    const now = Date.now();
    const yearAgo = new Date(now - 365 * DAY);
    for (let i = 0; i < 10; i++) put(`secondly-${i}.ics`, seriesIcs(`secondly-${i}`, 'FREQ=SECONDLY', yearAgo));
    put('minutely-setpos.ics', seriesIcs('minutely-setpos', 'FREQ=MINUTELY;BYSETPOS=-1;BYHOUR=10', yearAgo));
    put('huge-count.ics', seriesIcs('huge-count', 'FREQ=SECONDLY;COUNT=999999999', yearAgo));
    // A rule that never matches: ical.js searches inside one step forever, only a stopped worker ends it.
    put('never.ics', seriesIcs('never', 'FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30', yearAgo));
    // Sane series that began long ago: every half hour, and a daily one with 3000 overrides.
    const halfHourStart = new Date(Math.floor((now - 365 * DAY) / 60_000) * 60_000 + 7 * 60_000);
    put('half-hour.ics', seriesIcs('half-hour', 'FREQ=MINUTELY;INTERVAL=30', halfHourStart));
    const dailyStart = new Date(Math.floor((now - 3000 * DAY) / 60_000) * 60_000 + 3_600_000);
    const overrides = Array.from({ length: 3000 }, (_, i) => {
      const id = new Date(dailyStart.getTime() + i * DAY);
      const moved = new Date(id.getTime() + 600_000);
      return [
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:daily',
        `DTSTAMP:${stamp(new Date())}`,
        `RECURRENCE-ID:${stamp(id)}`,
        `DTSTART:${stamp(moved)}`,
        `DTEND:${stamp(new Date(moved.getTime() + 60_000))}`,
        `SUMMARY:Moved ${i}`,
        `LOCATION:${LINK}`,
      ];
    }).flat();
    put('daily.ics', seriesIcs('daily', 'FREQ=DAILY', dailyStart, overrides));
    put('plain.ics', eventIcs('plain', { start: new Date(now + 2 * 3_600_000), location: LINK, summary: 'Réunion normale' }));

    const { answer, delay, healthChecks } = await probed(gateway, upcoming);
    console.log(
      `gateway event-loop delay during the hostile upcoming call: max ${delay.maxOwnMs.toFixed(1)} ms caused by the gateway ` +
        `(monitorEventLoopDelay: max ${delay.maxMs.toFixed(1)} ms, p99 ${delay.p99Ms.toFixed(1)} ms, including time the machine gave other programs); ${healthChecks} /healthz answered meanwhile`,
    );
    expect(answer.status).toBe(200);
    expect(delay.samples).toBeGreaterThan(0);
    // The part of the lateness the gateway's main thread spent running: see fixtures/event-loop-delay.mjs.
    expect(delay.maxOwnMs).toBeLessThanOrEqual(50);
    expect(healthChecks).toBeGreaterThan(0);

    const skipped = Object.fromEntries(answer.body.skipped.map((s: any) => [s.href.split('/').pop(), s]));
    for (let i = 0; i < 10; i++) expect(skipped[`secondly-${i}.ics`]).toMatchObject({ kind: 'overBudget' });
    expect(skipped['huge-count.ics']).toMatchObject({ kind: 'overBudget' });
    expect(skipped['never.ics']).toMatchObject({ kind: 'overBudget' });
    // Every object is either listed or reported.
    const listed = new Set(answer.body.items.map((m: any) => m.href.split('/').pop()));
    for (const name of dav.objects.keys()) expect(listed.has(name) || name in skipped, name).toBe(true);

    const halfHour = answer.body.items.filter((m: any) => m.uid === 'half-hour');
    expect(halfHour.length).toBeGreaterThanOrEqual(47);
    expect(halfHour.every((m: any) => (Date.parse(m.start) - halfHourStart.getTime()) % 1_800_000 === 0)).toBe(true);
    expect(answer.body.items.filter((m: any) => m.uid === 'daily').length).toBeGreaterThanOrEqual(1);
    expect(answer.body.items.map((m: any) => m.uid)).toContain('plain');
  }, 120_000);

  it('a migration plan over hostile Teams series never blocks the event loop more than 50 ms and plans the sane events', async () => {
    reset();
    const now = Date.now();
    const yearAgo = new Date(now - 365 * DAY);
    const teams = (uid: string, start: Date, rrule?: string) => eventIcs(uid, { start, minutes: 1, ...teamsProperties(), ...(rrule ? { rrule } : {}) });
    for (let i = 0; i < 10; i++) put(`secondly-${i}.ics`, teams(`secondly-${i}`, yearAgo, 'FREQ=SECONDLY'));
    put('huge-count.ics', teams('huge-count', yearAgo, 'FREQ=SECONDLY;COUNT=999999999'));
    // A rule that never matches: ical.js searches inside one step forever, only a stopped worker ends it.
    put('never.ics', teams('never', yearAgo, 'FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30'));
    put('weekly.ics', teams('weekly', new Date(Math.floor((now - 30 * DAY) / 60_000) * 60_000), 'FREQ=WEEKLY'));
    put('plain.ics', teams('plain', new Date(now + 2 * 3_600_000)));
    const plan = () =>
      fetch(`${gateway.url}/v1/calendars/migrations`, {
        method: 'POST',
        headers: { 'x-caldav-authorization': AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ from: new Date(now).toISOString(), to: new Date(now + 14 * DAY).toISOString() }),
      });

    const { answer, delay, healthChecks } = await probed(gateway, plan);
    console.log(`gateway event-loop delay during the hostile migration plan: max ${delay.maxOwnMs.toFixed(1)} ms caused by the gateway; ${healthChecks} /healthz answered meanwhile`);
    expect(answer.status).toBe(201);
    expect(delay.samples).toBeGreaterThan(0);
    expect(delay.maxOwnMs).toBeLessThanOrEqual(50);
    expect(healthChecks).toBeGreaterThan(0);
    // The hostile series are left out (nothing to convert safely); the sane ones are planned.
    const body = (await answer.json()) as any;
    expect(body.items.map((i: any) => i.href.split('/').pop()).sort()).toEqual(['plain.ics', 'weekly.ics']);
    expect(body.items.find((i: any) => i.href.endsWith('weekly.ics')).recurring).toBe(true);
  }, 120_000);
});

/** /proc figures of a process, in MB: its resident memory now, and the most it ever had. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
  return { rssMb: kb('VmRSS'), peakMb: kb('VmHWM') };
}

describe('bounded memory and time per upstream answer', () => {
  let gw: TestGateway;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gw = await startTestGateway({ CALDAV_SERVERS: dav.url, CALDAV_TIMEOUT_MS: '1500', CALDAV_DISCOVERY_TTL_MS: '0' });
    // Memory is read from a gateway process of its own: this one also holds the hostile server.
    gateway = await startGatewayProcess({ CALDAV_SERVERS: dav.url, CALDAV_TIMEOUT_MS: '1500', CALDAV_DISCOVERY_TTL_MS: '0' }, 30_000);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
  });
  const send = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'x-caldav-authorization': AUTH, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as any };
  };

  it('a gzip bomb, an 18 MB event read 4 times at once and slow or silent bodies give 502 or 504, never 500, and RSS stays bounded', async () => {
    reset();
    put('x.ics', eventIcs('x', { location: LINK }));
    expect((await send('GET', '/v1/meetings/upcoming')).status).toBe(200);
    const before = memoryOf(gateway.pid).rssMb;
    const addTo = { calendar: dav.calendarUrl, href: `${dav.calendarUrl}x.ics` };

    dav.mode = { report: 'gzipBomb' };
    const bomb = await send('GET', '/v1/meetings/upcoming');
    expect(bomb.status).toBe(502);
    expect(bomb.body).toMatchObject({ type: 'urn:visio:problem:upstream-too-large' });
    expect(bomb.body.detail).toContain('CALDAV_MAX_MULTISTATUS_BYTES');

    dav.mode = { get: 'gzipBomb' };
    const getBomb = await send('POST', '/v1/calendars/events/visio', addTo);
    expect(getBomb.status).toBe(502);
    expect(getBomb.body.detail).toContain('CALDAV_MAX_OBJECT_BYTES');

    dav.mode = { get: 'huge' };
    const huge = await Promise.all(Array.from({ length: 4 }, () => send('POST', '/v1/calendars/events/visio', addTo)));
    for (const r of huge) {
      expect(r.status).toBe(502);
      expect(r.body.type).toBe('urn:visio:problem:upstream-too-large');
    }
    dav.mode = { report: 'huge' };
    expect((await send('GET', '/v1/meetings/upcoming')).status).toBe(502);

    for (const mode of ['slowBody', 'hang'] as const) {
      dav.mode = { report: mode };
      const slow = await send('GET', '/v1/meetings/upcoming');
      expect(slow.status, mode).toBe(504);
      expect(slow.body.type).toBe('urn:visio:problem:upstream-timeout');
      dav.mode = { get: mode };
      expect((await send('POST', '/v1/calendars/events/visio', addTo)).status, mode).toBe(504);
    }
    const { peakMb } = memoryOf(gateway.pid);
    console.log(`gateway RSS: ${before.toFixed(0)} MB before, at most ${peakMb.toFixed(0)} MB under bomb, huge and slow answers (+${(peakMb - before).toFixed(0)} MB)`);
    expect(peakMb - before).toBeLessThan(100);
    const rooms = await fetch(`${gateway.url}/v1/rooms?limit=100`);
    expect(((await rooms.json()) as any).items).toEqual([]);
  }, 120_000);

  it('discovery failures read as what they are, not as a server outside the allowlist', async () => {
    reset();
    dav.mode = { discovery: 'status500' };
    const error = await call(gw, 'GET', '/v1/calendars');
    expect(error.status).toBe(502);
    expect(error.body.type).toBe('urn:visio:problem:upstream');
    expect(error.body.detail).toMatch(/answered 500/);
    dav.mode = { discovery: 'html' };
    const login = await call(gw, 'GET', '/v1/calendars');
    expect(login.status).toBe(502);
    expect(login.body.detail).toMatch(/HTML page/);
    dav.mode = { discovery: 'slowBody' };
    const slow = await call(gw, 'GET', '/v1/calendars');
    expect(slow.status).toBe(504);
    dav.mode = { discovery: 'malformed' };
    const malformed = await call(gw, 'GET', '/v1/calendars');
    expect(malformed.status).toBe(502);
    for (const r of [error, login, slow, malformed]) expect(r.body.type).not.toBe('urn:visio:problem:caldav-server-not-allowed');
  }, 60_000);
});

describe('allowlist by base path', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ CALDAV_SERVERS: dav.url });
  });

  it.each([
    ['dot-segments', 'alice/work/../../../../etc/passwd'],
    ['encoded dot-segments', 'alice/work/%2e%2e/%2E%2E/%2e%2e/etc/passwd'],
    ['an encoded slash', 'alice/work/..%2f..%2f..%2fetc%2fpasswd'],
    ['an encoded backslash', 'alice/work/..%5c..%5cetc%5cpasswd'],
    ['a Tomcat path parameter', 'alice/work/..;/..;/..;/etc/passwd'],
    ['a double-encoded dot-segment', 'alice/work/%252e%252e/%252e%252e/etc/passwd'],
  ])('refuses an href escaping the base path with %s', async (_name, tail) => {
    reset();
    const r = await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.url}${tail}` });
    expect(r.status).toBe(403);
    expect(r.body.type).toBe('urn:visio:problem:caldav-server-not-allowed');
    expect(dav.hits.filter((h) => !h.path.startsWith('/dav/') && h.path !== '/.well-known/caldav')).toEqual([]);
  });

  it('refuses a server, a calendar or a redirect outside the base path, on the same origin too', async () => {
    reset();
    const origin = new URL(dav.url).origin;
    expect((await gw.json('/v1/calendars', { headers: { 'x-caldav-authorization': AUTH, 'x-caldav-server': `${origin}/other/` } })).status).toBe(403);
    expect((await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: `${origin}/etc/`, uid: 'x' })).status).toBe(403);
    expect((await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: `${origin}/davx/`, uid: 'x' })).status).toBe(403);
    put('x.ics', eventIcs('x', { location: LINK }));
    dav.mode = { get: 'redirectDotdot' };
    const dotdot = await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.calendarUrl}x.ics` });
    expect(dotdot.status).toBe(502);
    expect(dotdot.body.type).toBe('urn:visio:problem:caldav-server-not-allowed');
    dav.mode = { get: 'redirectOutside' };
    const away = await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.calendarUrl}x.ics` });
    expect(away.status).toBe(502);
    expect(trapHits).toBe(0);
    expect(dav.hits.filter((h) => !h.path.startsWith('/dav/') && h.path !== '/.well-known/caldav')).toEqual([]);
  });
});

describe('writes, credentials, connections and discovery', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ CALDAV_SERVERS: dav.url, CALDAV_CONNECTIONS: '2', CALDAV_TIMEOUT_MS: '600' });
  });

  it('a server giving weak ETags: written in the strong form where it matches, a clear 502 at once where it never does; no room left behind', async () => {
    reset();
    dav.weakEtags = true;
    dav.objects.set('w.ics', { data: eventIcs('w'), etag: 'W/"w-1"' });
    const refused = await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.calendarUrl}w.ics` });
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toMatch(/weak ETag/);
    expect(dav.hits.filter((h) => h.method === 'PUT').length).toBe(2);
    expect(await roomCount(gw)).toBe(0);
    dav.lenientIfMatch = true;
    const added = await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.calendarUrl}w.ics` });
    expect(added.status).toBe(200);
    expect(dav.objects.get('w.ics')!.data).toContain(added.body.room.code);
    expect(await roomCount(gw)).toBe(1);
  });

  it('releases the room when the event cannot be written', async () => {
    reset();
    const rooms = await roomCount(gw);
    put('f.ics', eventIcs('f'));
    dav.mode = { put: 'status500' };
    const failed = await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.calendarUrl}f.ics` });
    expect(failed.status).toBe(502);
    expect(await roomCount(gw)).toBe(rooms);
  });

  it('accepts auth schemes in any case and forwards them in their usual spelling', async () => {
    reset();
    const token = Buffer.from('alice:secret').toString('base64');
    expect((await call(gw, 'GET', '/v1/calendars', undefined, `basic ${token}`)).status).toBe(200);
    expect((await call(gw, 'GET', '/v1/calendars', undefined, 'BEARER abc.def-ghi')).status).toBe(200);
    const sent = new Set(dav.hits.map((h) => h.authorization));
    expect(sent).toEqual(new Set([`Basic ${token}`, 'Bearer abc.def-ghi']));
  });

  it('sends a small server at most CALDAV_CONNECTIONS requests at once, and waiting for a slot is not a timeout', async () => {
    reset();
    put('x.ics', eventIcs('x', { location: LINK }));
    expect((await call(gw, 'GET', '/v1/meetings/upcoming')).status).toBe(200);
    // 8 calendar queries of at least 250 ms each through 2 connections take 1 s or more, beyond the
    // 600 ms timeout: only when the time spent queueing is not counted do they all succeed.
    dav.delayMs = 250;
    dav.maxInFlight = 0;
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(gw, 'GET', '/v1/meetings/upcoming')));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(dav.maxInFlight).toBe(2);
  }, 60_000);

  it("past its lifetime, keeps discovery while the calendar home's getctag is the same, with one request", async () => {
    reset();
    const short = await startTestGateway({ CALDAV_SERVERS: dav.url, CALDAV_DISCOVERY_TTL_MS: '500' });
    const first = await call(short, 'GET', '/v1/calendars');
    expect(first.status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    dav.hits.length = 0;
    const again = await call(short, 'GET', '/v1/calendars');
    expect(again.body).toEqual(first.body);
    expect(dav.hits.map((h) => `${h.method} ${h.path}`)).toEqual(['PROPFIND /dav/alice/']);
    await new Promise((r) => setTimeout(r, 700));
    dav.homeTag = 'home-2';
    dav.hits.length = 0;
    expect((await call(short, 'GET', '/v1/calendars')).status).toBe(200);
    expect(dav.hits.length).toBeGreaterThan(2);
  });

  it('reuses discovery per agent and server, and discovers again after a 404', async () => {
    reset();
    const other = `Basic ${Buffer.from('bob:other').toString('base64')}`;
    await call(gw, 'GET', '/v1/calendars', undefined, other);
    const first = dav.hits.length;
    expect(first).toBeGreaterThan(2);
    await call(gw, 'GET', '/v1/calendars', undefined, other);
    expect(dav.hits.length).toBe(first);
    // An event that vanished: discovery is dropped and done again on the next call.
    await call(gw, 'POST', '/v1/calendars/events/visio', { calendar: dav.calendarUrl, href: `${dav.calendarUrl}gone.ics` }, other);
    const afterMiss = dav.hits.length;
    await call(gw, 'GET', '/v1/calendars', undefined, other);
    expect(dav.hits.slice(afterMiss).some((h) => h.method === 'PROPFIND')).toBe(true);
  });
});
