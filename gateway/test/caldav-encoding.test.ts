/**
 * One calendar object is read uncompressed: it is small (it fits in TCP's first flight, so compression
 * saves no round trip) and a gzip answer is inflated on libuv's thread pool, a hop on every read. A server
 * that compresses anyway is still read right. The server here negotiates like Radicale (RFC 9110 12.5.3):
 * gzip when the request accepts it, else identity; with `?force`, gzip whatever was asked. Other paths
 * answer with a chain of codings (RFC 9110 8.4.1: listed in the order applied) or an undefined status.
 */
import { createServer } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
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
const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync, identity: (b) => b };
const server = createServer((req, res) => {
  const chain = /^\/chain\/([a-z,]+)\.ics$/.exec(req.url!);
  if (chain) {
    const codings = chain[1]!.split(',');
    const body = codings.reduce<Buffer>((b, c) => (encoders[c] ?? ((x: Buffer) => x))(b), Buffer.from(ICS));
    res.writeHead(200, { 'content-type': 'text/calendar', etag: '"e2"', 'content-encoding': codings.join(', ') });
    return void res.end(body);
  }
  const status = /^\/status\/(\d+)$/.exec(req.url!);
  if (status) {
    // Node refuses to write a status outside 100-999 itself, so the line is written by hand.
    res.socket!.end(`HTTP/1.1 ${status[1]} Odd\r\ncontent-type: text/calendar\r\ncontent-length: ${Buffer.byteLength(ICS)}\r\n\r\n${ICS}`);
    return;
  }
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

describe('answers in odd encodings or statuses', () => {
  it('decodes a chain of codings, applied in the order listed (gzip then br, deflate then gzip)', async () => {
    for (const chain of ['gzip,br', 'deflate,gzip', 'identity,gzip']) {
      const object = await session().get(`${site.origin}/chain/${chain}.ics`);
      expect(object.data, chain).toBe(ICS);
    }
  });

  it('refuses more than five codings with a 502 that says so (a decompression chain is work the server chooses)', async () => {
    await expect(session().get(`${site.origin}/chain/identity,identity,identity,identity,identity,gzip.ics`)).rejects.toMatchObject({
      status: 502,
      detail: expect.stringContaining('content codings'),
    });
  });

  it('reads a coding it does not know as sent, as fetch does (the ICS parser then judges it)', async () => {
    const object = await session().get(`${site.origin}/chain/compress.ics`);
    expect(object.data).toBe(ICS);
  });

  it('answers 502, not 500, to a status HTTP does not define', async () => {
    for (const status of ['600', '999']) {
      await expect(session().get(`${site.origin}/status/${status}`), status).rejects.toMatchObject({ status: 502, detail: expect.stringContaining(`status ${status}`) });
    }
  });
});
