/**
 * Debian's Radicale 3 (CalDAV without scheduling) on a free loopback port, with a throwaway config,
 * htpasswd file (plain passwords) and storage folder. One calendar per user is made with MKCALENDAR.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { mkcalendar, type CalendarOptions } from './caldav.ts';
import { freePort, ProcessExited, waitFor } from './ports.ts';

export const RADICALE_BIN = process.env.RADICALE_BIN ?? '/usr/bin/radicale';

export interface RadicaleServer {
  /** Root URL, `http://127.0.0.1:<port>/`. */
  url: string;
  origin: string;
  basic(user: string): string;
  /** MKCALENDAR `<root>/<user>/<name>/`; `components` defaults to VEVENT only. Returns its URL. */
  makeCalendar(user: string, name: string, options?: CalendarOptions): Promise<string>;
  /**
   * Writes an object straight into the storage folder, bypassing Radicale's validation: how a
   * malformed object (from an old client or an import) ends up on a server.
   */
  writeRaw(user: string, calendar: string, name: string, data: string): string;
  output(): string;
  stop(): Promise<void>;
}

export interface RadicaleOptions {
  /** Serves HTTPS with this certificate (Radicale's own TLS); the URL is then `https://<host>:<port>/`. */
  tls?: { certFile: string; keyFile: string; host: string; caFile: string };
  /** How readiness is awaited: an OPTIONS request (default), or a TCP connection only (a certificate no client accepts). */
  probe?: 'http' | 'tcp';
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function startRadicale(users: Record<string, string>, options: RadicaleOptions = {}): Promise<RadicaleServer> {
  const probe = spawnSync(RADICALE_BIN, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`Radicale is not installed at ${RADICALE_BIN}: run npm test as root (it installs Debian's radicale) or apt-get install radicale`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'visio-radicale-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'users'),
    Object.entries(users)
      .map(([u, p]) => `${u}:${p}`)
      .join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'config'),
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      ...(options.tls ? ['ssl = True', `certificate = ${options.tls.certFile}`, `key = ${options.tls.keyFile}`] : []),
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      'delay = 0',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${join(dir, 'collections')}`,
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const child = spawn(RADICALE_BIN, ['--config', join(dir, 'config')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = options.tls ? `https://${options.tls.host}:${port}` : `http://127.0.0.1:${port}`;
  // Over TLS the harness's own requests trust the test CA (the gateway is given it apart).
  const dispatcher = options.tls ? new Agent({ connect: { ca: readFileSync(options.tls.caFile, 'utf8') } }) : undefined;
  const fetch = (url: string, init: RequestInit = {}): Promise<Response> => undiciFetch(url, { ...init, ...(dispatcher ? { dispatcher } : {}) } as never) as unknown as Promise<Response>;
  const basic = (user: string) => `Basic ${Buffer.from(`${user}:${users[user]}`).toString('base64')}`;
  try {
    await waitFor(
      'Radicale',
      async () => {
        if (child.exitCode !== null) throw new ProcessExited(`Radicale exited with ${child.exitCode}`);
        if (options.probe === 'tcp') return accepts(port);
        return (await fetch(`${origin}/`, { method: 'OPTIONS' })).status < 500;
      },
      15_000,
      () => output,
    );
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `${origin}/`,
    origin,
    basic,
    output: () => output,
    writeRaw(user, calendar, name, data) {
      writeFileSync(join(dir, 'collections', 'collection-root', user, calendar, name), data);
      return `${origin}/${user}/${calendar}/${name}`;
    },
    async makeCalendar(user, name, options = {}) {
      // The first authenticated request creates the user's home collection.
      await fetch(`${origin}/${user}/`, { method: 'PROPFIND', headers: { authorization: basic(user), depth: '0' } });
      return mkcalendar(`${origin}/${user}/${name}/`, basic(user), name, options, fetch as typeof globalThis.fetch);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await dispatcher?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
