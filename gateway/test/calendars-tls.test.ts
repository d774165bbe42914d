/**
 * CalDAV over HTTPS, as every ministry server is: the real gateway process (its trust store given the test
 * CA through NODE_EXTRA_CA_CERTS, as docs/deployment.md tells administrators) in front of Debian's Radicale
 * serving TLS with a certificate for `localhost` only. Discovery, listing, creation, a room removed and added
 * again, and upcoming meetings all cross TLS; an untrusted certificate, an expired one and one for another
 * name are refused with a 502 that says which, and nothing is written.
 */
import { randomUUID } from 'node:crypto';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { makeCertificates, type TestCertificates } from '@visio/testing/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let certs: TestCertificates;
let radicale: RadicaleServer;
let untrusted: RadicaleServer;
let expired: RadicaleServer;
let trusting: GatewayProcess;
let work: string;
const started: GatewayProcess[] = [];
const LOOPBACK = '127.0.0.0/8,::1/128';

beforeAll(async () => {
  certs = makeCertificates();
  radicale = await startRadicale({ alice: `tls-${randomUUID()}` }, { tls: { ...certs.server('localhost', ['DNS:localhost']), host: 'localhost', caFile: certs.caFile } });
  work = await radicale.makeCalendar('alice', 'work', { displayName: 'Travail' });
  const self = certs.selfSigned('localhost-self', ['DNS:localhost']);
  untrusted = await startRadicale({ alice: 'x' }, { tls: { ...self, host: 'localhost', caFile: self.certFile } });
  // Expired, its certificate is refused by every client, the harness's readiness probe too: that waits for TCP.
  expired = await startRadicale({ alice: 'x' }, { tls: { ...certs.expired('localhost-old', ['DNS:localhost']), host: 'localhost', caFile: certs.caFile }, probe: 'tcp' });
  trusting = await gateway({ CALDAV_SERVERS: radicale.url, NODE_EXTRA_CA_CERTS: certs.caFile });
}, 60_000);

afterAll(async () => {
  for (const g of started) await g.stop();
  await radicale?.stop();
  await untrusted?.stop();
  await expired?.stop();
  certs?.remove();
});

async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
  const g = await startGatewayProcess({ CALDAV_PRIVATE_NETWORKS: LOOPBACK, LOG_LEVEL: 'warn', ...env });
  started.push(g);
  return g;
}

async function call(g: GatewayProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${g.url}${path}`, {
    method,
    headers: { 'x-caldav-authorization': radicale.basic('alice'), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
}

describe('CalDAV over HTTPS (real Radicale with TLS, real gateway process)', () => {
  it('lists, creates, removes and adds the room again, and finds the meeting, all over TLS', async () => {
    const listed = await call(trusting, 'GET', '/v1/calendars');
    expect(listed.status).toBe(200);
    expect(listed.body.calendars.map((c: { url: string }) => c.url)).toContain(work);

    const start = new Date(Date.now() + 3_600_000);
    const wall = (d: Date) => d.toISOString().slice(0, 19);
    const created = await call(trusting, 'POST', '/v1/calendars/events', {
      calendar: work,
      title: 'Point sécurisé',
      start: wall(start),
      end: wall(new Date(start.getTime() + 1_800_000)),
      timeZone: 'Etc/UTC',
    });
    expect(created.status).toBe(201);
    const ref = { calendar: work, href: created.body.href as string };

    const removed = await call(trusting, 'DELETE', '/v1/calendars/events/visio', ref);
    expect(removed.status).toBe(200);
    const added = await call(trusting, 'POST', '/v1/calendars/events/visio', ref);
    expect(added.status).toBe(200);
    expect(added.body.changed).toBe(true);
    expect(added.body.room.code).not.toBe(created.body.room.code);

    const upcoming = await call(trusting, 'GET', '/v1/meetings/upcoming?hours=3');
    expect(upcoming.status).toBe(200);
    expect(upcoming.body.items.map((m: { code: string }) => m.code)).toContain(added.body.room.code);
  });

  it('refuses a certificate no trusted authority signed: 502 naming NODE_EXTRA_CA_CERTS, no room made', async () => {
    const g = await gateway({ CALDAV_SERVERS: untrusted.url });
    const r = await call(g, 'POST', '/v1/calendars/events/visio', { calendar: `${untrusted.origin}/alice/work/`, href: `${untrusted.origin}/alice/work/x.ics` });
    expect(r.status).toBe(502);
    expect(r.type).toMatch(/application\/problem\+json/);
    expect(r.body.title).toBe('CalDAV server certificate refused');
    expect(r.body.detail).toMatch(/not signed by an authority this gateway trusts.*NODE_EXTRA_CA_CERTS \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    const rooms = await fetch(`${g.url}/v1/rooms`).then((x) => x.json() as Promise<{ items: unknown[] }>);
    expect(rooms.items).toHaveLength(0);
  });

  it('refuses a trusted certificate past its dates', async () => {
    const g = await gateway({ CALDAV_SERVERS: expired.url, NODE_EXTRA_CA_CERTS: certs.caFile });
    const r = await call(g, 'GET', '/v1/calendars');
    expect(r.status).toBe(502);
    expect(r.body.detail).toMatch(/its TLS certificate is outside its validity dates \(CERT_HAS_EXPIRED\)/);
  });

  it('refuses a trusted certificate for another name (reached as 127.0.0.1, made for localhost)', async () => {
    const byAddress = radicale.url.replace('localhost', '127.0.0.1');
    const g = await gateway({ CALDAV_SERVERS: byAddress, NODE_EXTRA_CA_CERTS: certs.caFile });
    const r = await call(g, 'GET', '/v1/calendars');
    expect(r.status).toBe(502);
    expect(r.body.detail).toMatch(/its TLS certificate is not for 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  });
});
