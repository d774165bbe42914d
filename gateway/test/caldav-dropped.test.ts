/**
 * A CalDAV server that drops the connection before answering (SOGo and Apache close kept-alive connections
 * at will): a request that changes nothing is sent once more, one that may change something never is.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAllowlist, createCaldavAgent, createGuardedFetch } from '../src/caldav/guard.js';
import { caldavSettingsFor, onLoopback } from './caldav-helpers.js';

const seen: string[] = [];
/** Paths whose first request of each method is dropped unanswered. */
const dropped = new Set<string>();
const server = createServer((req: IncomingMessage, res) => {
  seen.push(`${req.method} ${req.url}`);
  const key = `${req.method} ${req.url}`;
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/drop-') && !dropped.has(key)) {
      dropped.add(key);
      req.socket.destroy();
      return;
    }
    res.writeHead(req.method === 'PUT' ? 201 : 207, { 'content-type': 'application/xml' }).end('<multistatus xmlns="DAV:"/>');
  });
});

const site = onLoopback(server);

/** The guarded fetch of a gateway allowed to reach this origin only. */
function guardedFor(base: string) {
  const settings = caldavSettingsFor(base);
  return createGuardedFetch(settings, createAllowlist(settings), createCaldavAgent(settings));
}
const guarded = () => guardedFor(site.origin);

describe('a connection dropped before the answer', () => {
  for (const method of ['GET', 'PROPFIND', 'REPORT', 'OPTIONS']) {
    it(`${method} is sent once more and gets the server's answer`, async () => {
      const path = `/drop-${method.toLowerCase()}`;
      const response = await guarded()(`${site.origin}${path}`, { method, ...(method === 'GET' || method === 'OPTIONS' ? {} : { body: '<x/>' }) });
      expect(response.status).toBe(207);
      expect(seen.filter((s) => s === `${method} ${path}`)).toHaveLength(2);
    });
  }

  it('PUT is not sent again: the server may have written it; the agent gets a clear 502', async () => {
    const fetch = guarded();
    await expect(fetch(`${site.origin}/drop-put`, { method: 'PUT', body: 'BEGIN:VCALENDAR' })).rejects.toMatchObject({ status: 502 });
    expect(seen.filter((s) => s === 'PUT /drop-put')).toHaveLength(1);
  });

  it('a server that drops every try gets one retry, not a loop', async () => {
    const path = '/always-drop';
    const always = createServer((req) => {
      seen.push(`${req.method} always`);
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => always.listen(0, '127.0.0.1', resolve));
    const other = `http://127.0.0.1:${(always.address() as AddressInfo).port}`;
    const f = guardedFor(other);
    await expect(f(`${other}${path}`, { method: 'REPORT', body: '<x/>' })).rejects.toMatchObject({ status: 502 });
    expect(seen.filter((s) => s === 'REPORT always')).toHaveLength(2);
    always.closeAllConnections();
    await new Promise((r) => always.close(r));
  });
});
