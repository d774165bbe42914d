/**
 * Several gateway processes (the built dist/main.js) on one real PostgreSQL: shared idempotency, and the
 * promises kept when the database restarts under load or an instance dies mid-request.
 */
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { startLiveKitDouble } from '@visio/testing/livekit-double';
import { freePort, startOidcProvider, TestUserAgent } from '@visio/testing/oidc-provider';
import { startPostgres, type PostgresCluster } from '@visio/testing/postgres';
import { beginSignIn, readRedirect } from '@visio/shared/sign-in';
import { PROBLEM_TYPES } from '@visio/shared/contract';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const STALE_MS = 1_500;
let cluster: PostgresCluster;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => g.stop()));
});
afterAll(async () => {
  await cluster?.destroy();
});

async function instances(n: number, databaseUrl: string): Promise<GatewayProcess[]> {
  const started = await Promise.all(
    Array.from({ length: n }, () => startGatewayProcess({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '5', VISIO_IDEMPOTENCY_STALE_MS: String(STALE_MS), LOG_LEVEL: 'warn' })),
  );
  running.push(...started);
  return started;
}

interface Answer {
  status: number;
  type: string | null;
  body: any;
}

async function post(gw: GatewayProcess, body: unknown, key?: string): Promise<Answer> {
  const response = await fetch(`${gw.url}/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

const dbName = (url: string) => new URL(url).pathname.slice(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('choosing PostgreSQL with DATABASE_URL', () => {
  it('says which database it uses without ever printing the password', async () => {
    const url = await cluster.createDatabase();
    const [gw] = await instances(1, url);
    const { stdout, stderr } = gw!.output();
    expect(stderr).toContain(`store: PostgreSQL 127.0.0.1:${cluster.port}/${dbName(url)}`);
    const password = decodeURIComponent(new URL(url).password);
    expect(stdout + stderr).not.toContain(password);
    expect((await fetch(`${gw!.url}/readyz`)).status).toBe(200);
  });

  it('refuses a URL that is not PostgreSQL (exit 2) and an unreachable database (exit 1), with a clear message', async () => {
    await expect(startGatewayProcess({ DATABASE_URL: 'mysql://visio:pw@127.0.0.1/visio' })).rejects.toThrow(/exited with 2[\s\S]*DATABASE_URL: must be a PostgreSQL URL/);
    const unreachable = cluster.urlFor('postgres').replace(`:${cluster.port}/`, ':1/');
    const failure = startGatewayProcess({ DATABASE_URL: unreachable });
    await expect(failure).rejects.toThrow(/exited with 1[\s\S]*database named by DATABASE_URL cannot be reached/);
    await expect(failure).rejects.not.toThrow(/visio-test-only/);
  });
});

describe('two gateway instances on one PostgreSQL', () => {
  it('100 concurrent identical requests spread over both instances create one room', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await instances(2, url);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(i % 2 ? a! : b!, { title: 'Conseil de direction' }, 'cdd-2026-03')));
    expect(answers.filter((x) => x.status === 201)).toHaveLength(1);
    expect(answers.filter((x) => x.status === 200)).toHaveLength(99);
    expect(new Set(answers.map((x) => x.body.code)).size).toBe(1);
    const rooms = await cluster.query('SELECT code FROM rooms', [], dbName(url));
    expect(rooms.map((r) => r.code)).toEqual([answers[0]!.body.code]);
    // Both instances serve it.
    for (const gw of [a!, b!]) expect((await (await fetch(`${gw.url}/v1/rooms/${rooms[0]!.code}`)).json()).title).toBe('Conseil de direction');
  });

  it('the database restarts under load: 503 problem+json while it is down, nothing half-written, service resumes by itself', async () => {
    const url = await cluster.createDatabase();
    const gws = await instances(2, url);
    const keys = new Map<string, Answer[]>();
    let phase: 'before' | 'down' | 'after' = 'before';
    const seen = { before: 0, down503: 0, after: 0 };
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const key = `load-${w}-${n++}`;
        const gw = gws[n % 2]!;
        const answer = await post(gw, { title: `Réunion ${key}` }, key);
        keys.set(key, [answer]);
        if (answer.status === 201) {
          if (phase === 'before') seen.before++;
          if (phase === 'after') seen.after++;
        } else if (answer.status === 503) {
          if (phase === 'down') seen.down503++;
          await sleep(10);
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    const until = async (cond: () => boolean, what: string, ms = 20_000) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`);
        await sleep(20);
      }
    };
    try {
      await until(() => seen.before >= 40, 'rooms before the restart');
      phase = 'down';
      await cluster.stop();
      await until(() => seen.down503 >= 20, '503 answers while the database is down');
      const ready = await fetch(`${gws[0]!.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks.store).toBe('unavailable');
      await cluster.start();
      phase = 'after';
      // No instance is restarted: both pools reconnect by themselves.
      await until(() => seen.after >= 40, 'rooms after the restart');
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    for (const gw of gws) expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);

    const first = [...keys.values()].map((a) => a[0]!);
    const statuses = new Set(first.map((a) => a.status));
    // Only successes and "unavailable"; never a 500.
    expect([...statuses].sort((x, y) => x - y)).toEqual([201, 503]);
    for (const a of first.filter((x) => x.status === 503)) {
      expect(a.type).toBe('application/problem+json');
      expect(a.body).toMatchObject({ type: PROBLEM_TYPES.unavailable, status: 503 });
    }

    // The client retries every failed request with its key, once claims of the outage have gone stale.
    await sleep(STALE_MS + 200);
    for (const [key, answers] of keys) {
      if (answers[0]!.status === 201) continue;
      const retry = await post(gws[key.length % 2]!, { title: `Réunion ${key}` }, key);
      expect([200, 201]).toContain(retry.status);
      answers.push(retry);
    }
    const final = new Map([...keys].map(([key, answers]) => [key, answers.at(-1)!.body.code as string]));
    const rooms = await cluster.query<{ code: string; title: string }>('SELECT code, title FROM rooms', [], dbName(url));
    // One room per request, each named by its key, and no room that its key does not name.
    expect(rooms).toHaveLength(keys.size);
    expect(new Set(rooms.map((r) => r.code))).toEqual(new Set(final.values()));
    for (const r of rooms) expect(final.get(r.title.replace('Réunion ', ''))).toBe(r.code);
    const orphans = await cluster.query('SELECT count(*)::int AS n FROM rooms r WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.room_code = r.code)', [], dbName(url));
    expect(orphans[0]!.n).toBe(0);
  }, 90_000);

  describe('an instance killed mid-request', () => {
    /** Holds the rooms table so that an instance's INSERT waits; returns when it waits, and a release. */
    async function holdRoomInserts(url: string) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {}); // cut by a cluster stop after a failed test: reported by the test itself
      await client.connect();
      await client.query('BEGIN');
      await client.query('LOCK TABLE rooms IN SHARE MODE');
      return {
        async waitingBackend(): Promise<number> {
          // Polled from other sessions: inside the holding transaction, pg_stat_activity is a frozen snapshot.
          for (let i = 0; i < 500; i++) {
            const rows = await cluster.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'visio-gateway'
                 AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO rooms%'`,
              [dbName(url)],
            );
            if (rows[0]) return rows[0].pid;
            await sleep(20);
          }
          throw new Error('no gateway INSERT waited on the rooms table');
        },
        async release() {
          await client.query('ROLLBACK');
          await client.end();
        },
      };
    }

    it('after its statement reached the database: the retry on the other instance returns that room', async () => {
      const url = await cluster.createDatabase();
      const [a, b] = await instances(2, url);
      const hold = await holdRoomInserts(url);
      const doomed = post(a!, { title: 'Crise' }, 'crash-1').catch((error: Error) => error);
      await hold.waitingBackend();
      // The instance dies with the request in flight; its client sees the connection drop.
      await a!.kill('SIGKILL');
      expect(await doomed).toBeInstanceOf(Error);
      await hold.release();

      const retry = await post(b!, { title: 'Crise' }, 'crash-1');
      const rooms = await cluster.query('SELECT code FROM rooms', [], dbName(url));
      expect(rooms).toHaveLength(1);
      // Its statement had been sent whole: room and key committed together, so the retry gets that room.
      expect(retry.status).toBe(200);
      expect(retry.body.code).toBe(rooms[0]!.code);
    });

    it('before anything was written: the retry waits for the dead claim to go stale, then creates one room', async () => {
      const url = await cluster.createDatabase();
      const [a, b] = await instances(2, url);
      const hold = await holdRoomInserts(url);
      const doomed = post(a!, { title: 'Crise' }, 'crash-2').catch((error: Error) => error);
      const backend = await hold.waitingBackend();
      await a!.kill('SIGKILL');
      expect(await doomed).toBeInstanceOf(Error);
      // The database also drops the dead instance's session: only its claim is left.
      await cluster.query('SELECT pg_terminate_backend($1)', [backend]);
      await hold.release();
      const keys = await cluster.query('SELECT room_code FROM idempotency_keys', [], dbName(url));
      expect(keys).toEqual([{ room_code: null }]);

      const [retry, concurrent] = await Promise.all([post(b!, { title: 'Crise' }, 'crash-2'), post(b!, { title: 'Crise' }, 'crash-2')]);
      expect([retry.status, concurrent.status].sort((x, y) => x - y)).toEqual([200, 201]);
      expect(retry.body.code).toBe(concurrent.body.code);
      const rooms = await cluster.query('SELECT code FROM rooms', [], dbName(url));
      expect(rooms.map((r) => r.code)).toEqual([retry.body.code]);
    });
  });
});

describe('join sessions across instances (OIDC mode, LiveKit)', () => {
  const CLIENT = { id: 'test-app', redirectUri: 'https://test-app.example/callback' };

  it('a join session opened on one instance is read by the other; a sign-out on either ends it on both', async () => {
    const url = await cluster.createDatabase();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const secret = 'op-secret-for-the-scale-test-0123456789';
    const op = await startOidcProvider({ clients: [{ client_id: 'visio-gateway', client_secret: secret, redirect_uris: [`${publicUrl}/auth/callback`] }] });
    const lk = await startLiveKitDouble();
    try {
      // Behind one load balancer: one public URL and one token secret for both.
      const env = {
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: '3',
        LOG_LEVEL: 'warn',
        VISIO_PUBLIC_URL: publicUrl,
        VISIO_TOKEN_SECRET: 'scale-test-token-secret-0123456789-abcdef',
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: 'visio-gateway',
        OIDC_CLIENT_SECRET: secret,
        VISIO_PROVIDER: 'livekit',
        LIVEKIT_URL: lk.url,
        LIVEKIT_API_KEY: lk.apiKey,
        LIVEKIT_API_SECRET: lk.apiSecret,
        LIVEKIT_MEET_URL: 'https://meet.example.gouv.fr',
        VISIO_CLIENTS: JSON.stringify({ [CLIENT.id]: [CLIENT.redirectUri] }),
      };
      const [a, b] = await Promise.all([startGatewayProcess({ ...env, PORT: String(port) }), startGatewayProcess(env)]);
      running.push(a!, b!);
      // Bob signs in through a client and creates the room on one instance.
      const pending = await beginSignIn({ endpoints: { loginUrl: `${a!.url}/auth/login`, tokenUrl: '' }, clientId: CLIENT.id, redirectUri: CLIENT.redirectUri });
      const bobLanded = await new TestUserAgent().signIn(pending.url, 'bob', (u) => u.origin === 'https://test-app.example');
      const tokens = await fetch(`${a!.url}/auth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: readRedirect(bobLanded.href, pending),
          code_verifier: pending.verifier,
          client_id: CLIENT.id,
          redirect_uri: CLIENT.redirectUri,
        }),
      });
      const bob = ((await tokens.json()) as { access_token: string }).access_token;
      const created = await fetch(`${b!.url}/v1/rooms`, { method: 'POST', headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' }, body: '{}' });
      expect(created.status).toBe(201);
      const { code } = (await created.json()) as { code: string };
      // Alice, invited, opens the link on the other instance and signs in there.
      const agent = new TestUserAgent();
      const landed = await agent.signIn(`${a!.url}/j/${code}`, 'alice', (u) => u.pathname === `/j/${code}` && u.origin === a!.url);
      expect(landed.search).toBe('');
      const session = agent.jar.get(new URL(a!.url).host)!.get('visio_join')!;
      const open = async (gw: GatewayProcess) => {
        const response = await fetch(`${gw.url}/j/${code}`, { redirect: 'manual', headers: { cookie: `visio_join=${session}` } });
        return new URL(response.headers.get('location')!).origin;
      };
      expect(await open(a!)).toBe('https://meet.example.gouv.fr');
      expect(await open(b!)).toBe('https://meet.example.gouv.fr');
      expect((await fetch(`${b!.url}/auth/logout`, { method: 'POST', headers: { cookie: `visio_join=${session}` } })).status).toBe(204);
      expect(await open(a!)).toBe(op.issuer);
      expect(await open(b!)).toBe(op.issuer);
    } finally {
      await lk.close();
      await op.close();
    }
  });
});
