/**
 * A private PostgreSQL cluster (Debian's `postgresql` binaries) in a temp folder, on a free loopback port,
 * for tests and benchmarks. It can be stopped and started again (fault tests) and is removed by `destroy()`.
 * PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` system user.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresCluster {
  /** Port on 127.0.0.1. */
  port: number;
  dir: string;
  /** Superuser URL (database `postgres`). */
  url: string;
  /** URL of another database of this cluster. */
  urlFor(database: string): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL as the superuser in `database` (default `postgres`). */
  query<T extends pg.QueryResultRow = any>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** Fast shutdown: open sessions are cut, as when the database server restarts. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and deletes its folder. */
  destroy(): Promise<void>;
}

const USER = 'visio';
const PASSWORD = 'visio-test-only';

function findBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`PostgreSQL server binaries not found under ${base}: install the Debian package "postgresql" (npm test does it as root)`);
  return join(base, newest, 'bin');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let counter = 0;

export interface PostgresOptions {
  /** Server settings (`-c name=value`) over the test defaults, e.g. `{ fsync: 'on' }` for a benchmark. */
  settings?: Record<string, string>;
}

/** Throwaway defaults: durability off (a test cluster is never recovered), room for many connections. */
const TEST_SETTINGS: Record<string, string> = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' };

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const bin = findBinDir();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'visio-pg-'));
  const data = join(dir, 'data');
  // As root, every binary runs as `postgres`, which must own the folder.
  const run = (cmd: string, args: string[]) => (asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', join(bin, cmd), ...args] } : { cmd: join(bin, cmd), args });
  if (asRoot) {
    const pgUser = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const pgGroup = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (pgUser.status !== 0) throw new Error('running as root, but there is no "postgres" system user to run PostgreSQL as (install the Debian package "postgresql")');
    chownSync(dir, Number(pgUser.stdout.trim()), Number(pgGroup.stdout.trim()));
  }
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (asRoot) spawnSync('chown', ['postgres:postgres', pwfile]);

  const exec = (cmd: string, args: string[]) => {
    const c = run(cmd, args);
    const r = spawnSync(c.cmd, c.args, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  try {
    exec('initdb', ['-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let port = 0;
  const logFile = join(dir, 'server.log');
  const pgCtl = (args: string[]) => {
    const c = run('pg_ctl', args);
    return new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn(c.cmd, c.args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (status) => resolve({ status, out }));
    });
  };
  const start = async () => {
    // The socket lives in the cluster's own folder, never in the system's /var/run/postgresql.
    const settings = { ...TEST_SETTINGS, ...options.settings, listen_addresses: '127.0.0.1', unix_socket_directories: dir };
    const flags = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
    const r = await pgCtl(['start', '-w', '-t', '30', '-D', data, '-l', logFile, '-o', flags]);
    if (r.status !== 0) {
      const log = spawnSync('tail', ['-n', '20', logFile], { encoding: 'utf8' }).stdout;
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}:\n${r.out}\n${log}`);
    }
  };
  const stop = async () => {
    const r = await pgCtl(['stop', '-w', '-t', '30', '-m', 'fast', '-D', data]);
    if (r.status !== 0 && !/not running|No such file/i.test(r.out)) throw new Error(`pg_ctl stop failed: ${r.out}`);
  };

  // Another process may take the probed port between probe and start: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const urlFor = (database: string) => `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`;
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> => {
    const client = new pg.Client({ connectionString: urlFor(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  let destroyed = false;
  return {
    port,
    dir,
    url: urlFor('postgres'),
    urlFor,
    async createDatabase(name) {
      const db = name ?? `t${process.pid}_${Date.now().toString(36)}_${counter++}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`unsafe database name: ${db}`);
      await query(`CREATE DATABASE ${db}`);
      return urlFor(db);
    },
    query,
    stop,
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
