import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.ts';

let radicale: RadicaleServer;
let auth: string;
let trap: Server;
let trapHits = 0;
let trapUrl: string;
let redirector: Server;
let redirectorUrl: string;
let silent: TcpServer;
let silentUrl: string;
const hung: import('node:net').Socket[] = [];

const listen = async <T extends Server | TcpServer>(server: T) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};

beforeAll(async () => {
  radicale = await startRadicale({ alice: 'alice-password' });
  await radicale.makeCalendar('alice', 'work');
  auth = radicale.basic('alice');
  // A server outside the allowlist that must never be reached, and an allowed one redirecting to it.
  trap = createServer((req, res) => {
    trapHits++;
    res.end('reached');
  });
  trapUrl = await listen(trap);
  redirector = createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/meta') ? 302 : 307, { location: req.url?.startsWith('/meta') ? 'http://169.254.169.254/latest/meta-data/' : `${trapUrl}${req.url}` });
    res.end();
  });
  redirectorUrl = await listen(redirector);
  // Accepts connections and never answers: a hung CalDAV server.
  silent = createTcpServer((socket) => hung.push(socket));
  silentUrl = await listen(silent);
}, 30_000);

afterAll(async () => {
  await radicale?.stop();
  for (const s of [trap, redirector]) s?.closeAllConnections();
  for (const socket of hung) socket.destroy();
  await Promise.all([trap, redirector, silent].map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
});

const get = (gw: TestGateway, path: string, headers: Record<string, string> = {}) => gw.json(path, { headers: { 'x-caldav-authorization': auth, ...headers } });

describe('CalDAV SSRF guard', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ CALDAV_SERVERS: `${radicale.url},${redirectorUrl}/` });
  });

  it('refuses servers outside the allowlist: metadata address, [::1], another local port', async () => {
    for (const server of ['http://169.254.169.254/', `http://[::1]:${new URL(radicale.url).port}/`, `${trapUrl}/`, 'file:///etc/passwd']) {
      const r = await get(gw, '/v1/calendars', { 'x-caldav-server': server });
      expect(r.status, server).toBe(server.startsWith('file') ? 400 : 403);
      if (r.status === 403) expect(r.body.type).toBe('urn:visio:problem:caldav-server-not-allowed');
    }
    expect(trapHits).toBe(0);
  });

  it('refuses calendar and event addresses outside the allowlist', async () => {
    const body = { calendar: 'http://169.254.169.254/latest/', href: 'http://169.254.169.254/latest/meta-data/x.ics' };
    const r = await gw.json('/v1/calendars/events/visio', { method: 'POST', headers: { 'x-caldav-authorization': auth, 'x-caldav-server': radicale.url }, body });
    expect(r.status).toBe(403);
    const sneaky = await gw.json('/v1/calendars/events/visio', {
      method: 'POST',
      headers: { 'x-caldav-authorization': auth, 'x-caldav-server': radicale.url },
      body: { calendar: `${radicale.url}alice/work/`, href: `${trapUrl}/x.ics` },
    });
    expect(sneaky.status).toBe(403);
    const userinfo = await gw.json('/v1/calendars/events/visio', {
      method: 'POST',
      headers: { 'x-caldav-authorization': auth, 'x-caldav-server': radicale.url },
      body: { calendar: `${radicale.url}alice/work/`, href: `http://user@${new URL(radicale.url).host}@169.254.169.254/x.ics` },
    });
    expect(userinfo.status).toBe(403);
    expect(trapHits).toBe(0);
  });

  it('does not follow redirects that leave the allowlist', async () => {
    // Discovery reads the redirect itself (tsdav asks for manual redirects) and then refuses its target.
    const toTrap = await get(gw, '/v1/calendars', { 'x-caldav-server': `${redirectorUrl}/dav/` });
    expect([403, 502]).toContain(toTrap.status);
    expect(toTrap.body.type).toBe('urn:visio:problem:caldav-server-not-allowed');
    const toMetadata = await gw.json('/v1/calendars/events/visio', {
      method: 'POST',
      headers: { 'x-caldav-authorization': auth, 'x-caldav-server': `${redirectorUrl}/` },
      body: { calendar: `${redirectorUrl}/meta/`, href: `${redirectorUrl}/meta/x.ics` },
    });
    expect(toMetadata.status).toBe(502);
    expect(toMetadata.body.type).toBe('urn:visio:problem:caldav-server-not-allowed');
    expect(trapHits).toBe(0);
  });

  it('refuses an allowed host name that resolves to a non-public address, unless that network is allowed', async () => {
    const byName = `http://localhost:${new URL(radicale.url).port}/`;
    const strict = await startTestGateway({ CALDAV_SERVERS: byName });
    const refused = await get(strict, '/v1/calendars');
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:visio:problem:caldav-server-not-allowed');
    expect(refused.body.detail).toMatch(/resolves to/);
    const allowed = await startTestGateway({ CALDAV_SERVERS: byName, CALDAV_PRIVATE_NETWORKS: '127.0.0.0/8,::1/128' });
    const ok = await get(allowed, '/v1/calendars');
    expect(ok.status).toBe(200);
    expect(ok.body.calendars.map((c: any) => c.url)).toContain(`${byName}alice/work/`);
  });

  it('gives up on a server that does not answer, with 504', async () => {
    const hung = await startTestGateway({ CALDAV_SERVERS: `${silentUrl}/`, CALDAV_TIMEOUT_MS: '300' });
    const started = Date.now();
    const r = await get(hung, '/v1/calendars');
    expect(r.status).toBe(504);
    expect(r.body.type).toBe('urn:visio:problem:upstream-timeout');
    // Discovery tries several URLs; the first timeout ends them all.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('documents the calendar routes and their credential headers in /openapi.json', async () => {
    const { body } = await gw.json('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/v1/calendars', '/v1/calendars/events', '/v1/calendars/events/visio', '/v1/meetings/upcoming']));
    expect(body.paths['/v1/calendars/events/visio'].delete).toBeDefined();
    expect(body.paths['/v1/calendars'].get.parameters.map((p: any) => p.name)).toContain('x-caldav-authorization');
    expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(['Calendar', 'CalendarEventResult', 'UpcomingMeetings']));
  });

  it('refuses an invalid allowlist at start-up', async () => {
    await expect(startTestGateway({ CALDAV_SERVERS: 'ftp://example.gouv.fr/' })).rejects.toThrow(/CALDAV_SERVERS/);
    await expect(startTestGateway({ CALDAV_SERVERS: 'https://u:p@example.gouv.fr/' })).rejects.toThrow(/CALDAV_SERVERS/);
    await expect(startTestGateway({ CALDAV_PRIVATE_NETWORKS: '10.0.0.0/99' })).rejects.toThrow(/CALDAV_PRIVATE_NETWORKS/);
    await expect(startTestGateway({ CALDAV_CONNECTIONS: '0' })).rejects.toThrow(/CALDAV_CONNECTIONS/);
    await expect(startTestGateway({ CALDAV_MAX_OBJECT_BYTES: '10' })).rejects.toThrow(/CALDAV_MAX_OBJECT_BYTES/);
    await expect(startTestGateway({ CALDAV_MAX_MULTISTATUS_BYTES: 'lots' })).rejects.toThrow(/CALDAV_MAX_MULTISTATUS_BYTES/);
  });
});
