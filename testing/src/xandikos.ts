/**
 * Debian's Xandikos 0.2 (Git-backed CalDAV, no RFC 6638 scheduling) on a free loopback port, with a
 * throwaway folder. Xandikos has no authentication of its own and serves one principal (`/user/`), so
 * a Basic-auth proxy on a second port stands in front of it, as a deployment's reverse proxy would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorization, mkcalendar, type CalendarOptions } from './caldav.ts';
import { freePort, ProcessExited, waitFor } from './ports.ts';

export const XANDIKOS_BIN = process.env.XANDIKOS_BIN ?? '/usr/bin/xandikos';

export interface XandikosServer {
  /** Root URL behind the proxy, `http://127.0.0.1:<port>/`. */
  url: string;
  origin: string;
  basic(): string;
  /** The calendar Xandikos makes with `--defaults`: `<root>user/calendars/calendar/`. */
  calendarUrl: string;
  /** MKCALENDAR `<root>user/calendars/<name>/`. */
  makeCalendar(name: string, options?: CalendarOptions): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'te', 'trailer']);

function authProxy(expected: string, upstreamPort: number): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== expected) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="xandikos"', 'content-type': 'text/plain' });
      res.end('Unauthorized');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k) && k !== 'authorization'));
    const upstream = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k))));
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
    req.pipe(upstream);
  });
}

export async function startXandikos(user: string, password: string): Promise<XandikosServer> {
  const probe = spawnSync(XANDIKOS_BIN, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`Xandikos is not installed at ${XANDIKOS_BIN}: run npm test as root (it installs Debian's xandikos) or apt-get install xandikos`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'visio-xandikos-'));
  const [port, proxyPort] = [await freePort(), await freePort()];
  const child = spawn(XANDIKOS_BIN, ['--defaults', '-d', dir, '-l', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const authorization = basicAuthorization(user, password);
  const proxy = authProxy(authorization, port);
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${proxyPort}`;
  const stop = async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'Xandikos',
      async () => {
        if (child.exitCode !== null) throw new ProcessExited(`xandikos exited with ${child.exitCode}`);
        return (await fetch(`${origin}/user/calendars/calendar/`, { method: 'PROPFIND', headers: { authorization, depth: '0' } })).status === 207;
      },
      30_000,
      () => output,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `${origin}/`,
    origin,
    basic: () => authorization,
    calendarUrl: `${origin}/user/calendars/calendar/`,
    makeCalendar: (name, options = {}) => mkcalendar(`${origin}/user/calendars/${name}/`, authorization, name, options),
    output: () => output,
    stop,
  };
}
