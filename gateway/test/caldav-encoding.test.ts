/**
 * One calendar object is read uncompressed: it is small (it fits in TCP's first flight, so compression
 * saves no round trip) and a gzip answer is inflated on libuv's thread pool, a hop on every read. A server
 * that compresses anyway is still read right. The server here negotiates like Radicale (RFC 9110 12.5.3):
 * gzip when the request accepts it, else identity; with `?force`, gzip whatever was asked.
 */
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCaldavSession } from '../src/caldav/client.js';
import { createAllowlist, createCaldavAgent } from '../src/caldav/guard.js';
import { caldavSettingsFor, onLoopback } from './caldav-helpers.js';

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//test//EN',
  'BEGIN:VEVENT',
  'UID:enc-1',
  'DTSTAMP:20261101T000000Z',
  'DTSTART:20261201T090000Z',
  'SUMMARY:Réunion',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');
const asked: (string | undefined)[] = [];
const server = createServer((req, res) => {
  asked.push(req.headers['accept-encoding']);
  const gzip = req.url!.includes('force') || /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', etag: '"e1"', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  res.end(gzip ? gzipSync(ICS) : ICS);
});
const site = onLoopback(server);

function session() {
  const settings = caldavSettingsFor(site.origin, ['127.0.0.0/8']);
  const allowlist = createAllowlist(settings);
  return openCaldavSession({ settings, allowlist, agent: createCaldavAgent(settings), server: `${site.origin}/`, authorization: 'Basic YTpi' });
}

describe('reading one calendar object', () => {
  it('asks for it uncompressed and gets it whole', async () => {
    asked.length = 0;
    const object = await session().get(`${site.origin}/cal/enc-1.ics`);
    expect(asked).toEqual(['identity']);
    expect(object).toMatchObject({ etag: '"e1"', data: ICS });
  });

  it('still reads a server that compresses it anyway', async () => {
    const object = await session().get(`${site.origin}/cal/enc-1.ics?force`);
    expect(object.data).toBe(ICS);
  });
});
