/**
 * Debian's SOGo 5.8 (CalDAV with server-side scheduling) on free loopback ports, with its own throwaway
 * PostgreSQL cluster (initdb + pg_ctl), memcached, and an SQL user source with plain passwords.
 *
 * sogod reads no per-user defaults file here, so every setting goes on its command line (GNUstep's
 * argument domain overrides /etc/sogo/sogo.conf). sogod, postgres and memcached refuse to run as root:
 * as root they run as the `sogo`, `postgres` and `memcache` (or `nobody`) users through runuser.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { freePort, ProcessExited, waitFor } from './ports.ts';

export const SOGOD = '/usr/sbin/sogod';
/** The web UI's static files, which sogod does not serve (Apache does, from the package's apache.conf). */
export const SOGO_RESOURCES = '/usr/lib/GNUstep/SOGo/WebServerResources';
const PG_BIN = process.env.PG_BIN ?? findPgBin();

export interface SogoUser {
  password: string;
  name: string;
  email: string;
}

export interface SogoServer {
  /** CalDAV root, `http://127.0.0.1:<port>/SOGo/dav/`. */
  url: string;
  origin: string;
  basic(user: string): string;
  /** The user's default calendar, `<root><user>/Calendar/personal/`. */
  calendarUrl(user: string): string;
  /** The web UI's front (`http://127.0.0.1:<port>`, log-in page at `/SOGo/`): static resources plus sogod, as Apache serves them. */
  webOrigin: string;
  output(): string;
  stop(): Promise<void>;
}

function findPgBin(): string {
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return '/usr/lib/postgresql/15/bin';
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function userExists(name: string): boolean {
  return spawnSync('id', ['-u', name]).status === 0;
}

/** The command, run as `user` when we are root (the servers refuse root), else as ourselves. */
function as(user: string, command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
}

function run(user: string, command: string, args: string[], what: string): string {
  const [cmd, argv] = as(user, command, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

function owned(path: string, user: string): void {
  if (!isRoot()) return;
  const { uid, gid } = ids(user);
  chownSync(path, uid, gid);
}

/** Signals the whole process group (sogod's watchdog and its workers). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
};
const RESOURCE_PREFIXES = ['/SOGo.woa/WebServerResources/', '/SOGo/WebServerResources/'];

/**
 * The front Apache is in SOGo's own apache.conf (/usr/share/doc/sogo/apache.conf): the two WebServerResources
 * aliases served from the package's folder, everything else under /SOGo proxied to sogod with the
 * x-webobjects-* headers that tell it its public address.
 */
async function startWebFront(sogodPort: number): Promise<{ server: Server; origin: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const prefix = RESOURCE_PREFIXES.find((p) => path.startsWith(p));
    if (prefix) {
      const file = normalize(join(SOGO_RESOURCES, path.slice(prefix.length)));
      const stat = file.startsWith(SOGO_RESOURCES + sep) && existsSync(file) ? statSync(file) : null;
      if (!stat?.isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': stat.size, 'cache-control': 'max-age=31536000' });
      createReadStream(file).pipe(res);
      return;
    }
    if (!path.startsWith('/SOGo')) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string | string[] | undefined> = {
      ...req.headers,
      'x-webobjects-server-port': String(port),
      'x-webobjects-server-name': '127.0.0.1',
      'x-webobjects-server-url': origin,
      'x-webobjects-server-protocol': 'HTTP/1.0',
    };
    delete headers['x-webobjects-remote-user'];
    // A worker that dies mid-request (sogod's watchdog restarts it) drops the connection: an idempotent
    // request is tried once more, as nginx's proxy_next_upstream does; anything else gets Apache's 502.
    const idempotent = req.method === 'GET' || req.method === 'HEAD';
    const forward = (attempt: number) => {
      const upstream = httpRequest({ host: '127.0.0.1', port: sogodPort, method: req.method, path: req.url, headers: { ...headers, connection: 'close' } }, (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'cache-control': 'max-age=0, no-cache, no-store', 'referrer-policy': 'same-origin' });
        up.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent && idempotent && attempt === 0) return void setTimeout(() => forward(1), 200);
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      if (idempotent) upstream.end();
      else req.pipe(upstream);
    };
    forward(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, origin };
}

const sqlString = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** `workers`: sogod's worker processes (each serves one request at a time; more for bulk tests and benchmarks). */
export async function startSogo(users: Record<string, SogoUser>, options: { workers?: number } = {}): Promise<SogoServer> {
  const missing = [SOGOD, join(PG_BIN, 'initdb'), join(PG_BIN, 'pg_ctl'), '/usr/bin/memcached'].filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`SOGo's test server needs ${missing.join(', ')}: run npm test as root (it installs Debian's sogo, postgresql and memcached)`);
  }
  if (isRoot() && !userExists('sogo')) throw new Error('the Debian sogo package should have created the system user "sogo"; reinstall it');
  const dbUser = isRoot() ? 'postgres' : userInfo().username;
  const cacheUser = userExists('memcache') ? 'memcache' : 'nobody';
  const dir = mkdtempSync(join(tmpdir(), 'visio-sogo-'));
  chmodSync(dir, 0o755); // the servers' users must reach their folders
  const pgData = join(dir, 'pg');
  mkdirSync(pgData, { mode: 0o700 });
  owned(pgData, dbUser);
  const [pgPort, cachePort, sogoPort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  let output = '';
  let pgStarted = false;
  let front: Server | null = null;

  const stop = async () => {
    front?.closeAllConnections();
    front?.close();
    // Throwaway data: no graceful shutdown needed (sogod's watchdog takes seconds to stop on SIGTERM).
    for (const child of children) killGroup(child, 'SIGKILL');
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null || child.signalCode !== null
          ? null
          : new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
            }),
      ),
    );
    if (pgStarted) {
      const [cmd, argv] = as(dbUser, join(PG_BIN, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']);
      spawnSync(cmd, argv);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    run(dbUser, join(PG_BIN, 'initdb'), ['-D', pgData, '-A', 'trust', '-U', 'postgres', '--no-sync'], 'initdb');
    run(
      dbUser,
      join(PG_BIN, 'pg_ctl'),
      ['-D', pgData, '-w', '-l', join(pgData, 'log'), '-o', `-p ${pgPort} -k ${pgData} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`, 'start'],
      'pg_ctl start',
    );
    pgStarted = true;
    const psql = (db: string, user: string, sql: string) =>
      run(dbUser, join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], 'psql');
    psql('postgres', 'postgres', "CREATE USER sogo PASSWORD 'sogo'");
    psql('postgres', 'postgres', 'CREATE DATABASE sogo OWNER sogo');
    psql('sogo', 'sogo', 'CREATE TABLE sogo_users (c_uid varchar(64) PRIMARY KEY, c_name varchar(64), c_password varchar(128), c_cn varchar(128), mail varchar(128))');
    const rows = Object.entries(users).map(([uid, u]) => `(${[uid, uid, u.password, u.name, u.email].map(sqlString).join(', ')})`);
    if (rows.length) psql('sogo', 'sogo', `INSERT INTO sogo_users VALUES ${rows.join(', ')}`);

    const [mcCmd, mcArgs] = isRoot()
      ? ['/usr/bin/memcached', ['-u', cacheUser, '-l', '127.0.0.1', '-p', String(cachePort), '-U', '0', '-m', '32']]
      : ['/usr/bin/memcached', ['-l', '127.0.0.1', '-p', String(cachePort), '-U', '0', '-m', '32']];
    const memcached = spawn(mcCmd, mcArgs, { stdio: 'ignore', detached: true });
    children.push(memcached);

    const db = `postgresql://sogo:sogo@127.0.0.1:${pgPort}/sogo`;
    const sogoDir = join(dir, 'sogo');
    mkdirSync(sogoDir);
    owned(sogoDir, 'sogo');
    const defaults: Record<string, string> = {
      WONoDetach: 'YES',
      WOLogFile: '-',
      WOPidFile: join(sogoDir, 'sogo.pid'),
      WOPort: `127.0.0.1:${sogoPort}`,
      WOWorkersCount: String(options.workers ?? 3),
      SOGoProfileURL: `${db}/sogo_user_profile`,
      OCSFolderInfoURL: `${db}/sogo_folder_info`,
      OCSSessionsFolderURL: `${db}/sogo_sessions_folder`,
      OCSEMailAlarmsFolderURL: `${db}/sogo_alarms_folder`,
      SOGoMemcachedHost: `127.0.0.1:${cachePort}`,
      // No SMTP here: server-side scheduling delivers to local attendees' calendars without mail.
      SOGoAppointmentSendEMailNotifications: 'NO',
      SOGoTimeZone: 'Europe/Paris',
      // No IMAP server here: the web UI opens on the calendar.
      SOGoLoginModule: 'Calendar',
      SOGoMailDomain: 'example.test',
      SOGoUserSources: `({type = sql; id = users; viewURL = "${db}/sogo_users"; canAuthenticate = YES; isAddressBook = NO; userPasswordAlgorithm = plain;})`,
    };
    // Spawned as the sogo user directly (not through runuser, which would not pass signals on).
    const sogod = spawn(
      SOGOD,
      Object.entries(defaults).flatMap(([k, v]) => [`-${k}`, v]),
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: sogoDir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sogoDir, LANG: 'C.UTF-8' },
        detached: true,
        ...(isRoot() ? ids('sogo') : {}),
      },
    );
    children.push(sogod);
    sogod.stdout!.on('data', (d) => (output += d));
    sogod.stderr!.on('data', (d) => (output += d));
    const origin = `http://127.0.0.1:${sogoPort}`;
    const basic = (user: string) => `Basic ${Buffer.from(`${user}:${users[user]?.password}`).toString('base64')}`;
    const pgLog = () => (existsSync(join(pgData, 'log')) ? readFileSync(join(pgData, 'log'), 'utf8').slice(-2000) : '');
    await waitFor(
      'SOGo',
      async () => {
        if (sogod.exitCode !== null) throw new ProcessExited(`sogod exited with ${sogod.exitCode}`);
        if (memcached.exitCode !== null) throw new ProcessExited(`memcached exited with ${memcached.exitCode}`);
        return (await fetch(`${origin}/SOGo/dav/`, { method: 'OPTIONS' })).status < 500;
      },
      30_000,
      () => `sogod output:\n${output.slice(-4000)}\npostgres log:\n${pgLog()}`,
    );
    // SOGo delivers invitations only to users whose folders exist: log each one in once.
    for (const user of Object.keys(users)) {
      const r = await fetch(`${origin}/SOGo/dav/${user}/Calendar/personal/`, { method: 'PROPFIND', headers: { authorization: basic(user), depth: '0' } });
      if (r.status !== 207) throw new Error(`SOGo refused user ${user} (${r.status}); sogod output:\n${output.slice(-4000)}`);
    }
    const web = await startWebFront(sogoPort);
    front = web.server;
    return {
      url: `${origin}/SOGo/dav/`,
      webOrigin: web.origin,
      origin,
      basic,
      calendarUrl: (user) => `${origin}/SOGo/dav/${user}/Calendar/personal/`,
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
