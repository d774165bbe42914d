// `npm run bench -- --scale`: POST /v1/rooms on one and two gateway instances sharing one PostgreSQL, beside
// one instance on SQLite, at 50 connections, in one run; throughput, p99, the 2/1 ratio, RSS per instance,
// and what scale-out is judged by on shared cores: gateway CPU time per request, and database round trips
// per room creation (counted at the wire).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startPostgres } from '@visio/testing/postgres';
import { createBudgets } from './budgets.mjs';
import { withFreshKey } from './fresh-key.mjs';
import { startRoundTripCounter } from './pg-round-trips.mjs';
import { cpuMs, rssMb } from './proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', 'dist', 'main.js');
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

function startGateway(env) {
  const dataDir = mkdtempSync(join(tmpdir(), 'visio-bench-'));
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stopping;
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        resolve({
          url: m[1],
          pid: child.pid,
          stop: () =>
            (stopping ??= new Promise((r) => {
              child.on('exit', () => {
                rmSync(dataDir, { recursive: true, force: true });
                r();
              });
              child.kill('SIGTERM');
            })),
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${err}`)));
  });
}

/** Load on every URL at once (autocannon spreads the connections over them), sampling each instance's RSS. */
async function load(gateways, withKeys, seconds = SECONDS) {
  const peak = new Map(gateways.map((g) => [g.pid, 0]));
  const sampler = setInterval(() => {
    for (const g of gateways) peak.set(g.pid, Math.max(peak.get(g.pid), rssMb(g.pid)));
  }, 200);
  const run = () =>
    new Promise((resolve, reject) => {
      autocannon(
        {
          url: gateways.length === 1 ? gateways[0].url : gateways.map((g) => g.url),
          connections: CONNECTIONS,
          duration: seconds,
          requests: [
            {
              method: 'POST',
              path: '/v1/rooms',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ title: 'Réunion de service' }),
              // A fresh Idempotency-Key per request: every request claims, inserts and completes.
              ...(withKeys ? { setupRequest: withFreshKey } : {}),
            },
          ],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
  const cpuBefore = gateways.reduce((sum, g) => sum + cpuMs(g.pid), 0);
  try {
    const r = await run();
    const cpu = gateways.reduce((sum, g) => sum + cpuMs(g.pid), 0) - cpuBefore;
    return {
      rps: r.requests.average,
      p99: r.latency.p99,
      errors: r.errors + r.non2xx + r.timeouts,
      rss: gateways.map((g) => peak.get(g.pid)),
      requests: r.requests.total,
      cpuUsPerRequest: (cpu * 1000) / r.requests.total,
    };
  } finally {
    clearInterval(sampler);
  }
}

const ROUND_TRIP_CREATIONS = 500;

/**
 * `n` room creations, `parallel` at a time, each key used once (a client of its own: exactly `n` requests reach the
 * gateway, which a load generator stopping mid-flight does not promise). Returns how many gave 201.
 */
async function createRooms(url, n, withKeys, parallel = 10) {
  let next = 0;
  let created = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const headers = { 'content-type': 'application/json', ...(withKeys ? { 'idempotency-key': `rt-${process.pid}-${Date.now()}-${i}` } : {}) };
      const r = await fetch(`${url}/v1/rooms`, { method: 'POST', headers, body: JSON.stringify({ title: 'Réunion de service' }) });
      await r.arrayBuffer();
      if (r.status === 201) created++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return created;
}

export async function scaleBench() {
  const budgets = createBudgets();
  // Durable enough to compare with SQLite's WAL + synchronous=NORMAL: fsync on, commits not waited for.
  const cluster = await startPostgres({ settings: { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'off' } });
  const started = [];
  const start = async (env) => {
    const g = await startGateway(env);
    started.push(g);
    return g;
  };
  try {
    const sqlite = await start({});
    const pgOneUrl = await cluster.createDatabase('bench_one');
    const pgTwoUrl = await cluster.createDatabase('bench_two');
    const one = await start({ DATABASE_URL: pgOneUrl });
    const two = [await start({ DATABASE_URL: pgTwoUrl }), await start({ DATABASE_URL: pgTwoUrl })];

    const configs = [
      ['SQLite, 1 instance', [sqlite]],
      ['PostgreSQL, 1 instance', [one]],
      ['PostgreSQL, 2 instances', two],
    ];
    // Warm every process (JIT, pools, caches) before measuring.
    for (const [, gws] of configs) await load(gws, true, 2);

    // Rounds alternate the configurations so that drift on a shared machine hits all of them alike.
    const runs = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const withKeys of [false, true]) {
        for (const [name, gws] of configs) (runs[`${name}|${withKeys}`] ??= []).push(await load(gws, withKeys));
      }
    }
    const results = Object.fromEntries(
      Object.entries(runs).map(([k, rs]) => [
        k,
        {
          rps: rs.reduce((sum, r) => sum + r.rps, 0) / rs.length,
          p99: Math.max(...rs.map((r) => r.p99)),
          errors: rs.reduce((sum, r) => sum + r.errors, 0),
          rss: rs[0].rss.map((_, i) => Math.max(...rs.map((r) => r.rss[i]))),
          // All rounds together: CPU of every instance over all their requests.
          cpuUsPerRequest: rs.reduce((sum, r) => sum + r.cpuUsPerRequest * r.requests, 0) / rs.reduce((sum, r) => sum + r.requests, 0),
        },
      ]),
    );

    const fmt = (r) =>
      `${r.rps.toFixed(0).padStart(6)} req/s   p99 ${String(r.p99).padStart(4)} ms   CPU ${r.cpuUsPerRequest.toFixed(0).padStart(4)} µs/request   errors ${r.errors}   RSS ${r.rss.map((m) => `${m.toFixed(0)} MB`).join(' + ')}`;
    console.log(`\n== gateway --scale: POST /v1/rooms, ${CONNECTIONS} connections, ${ROUNDS} alternated rounds of ${SECONDS} s, one run ==`);
    console.log('req/s: mean over rounds; p99: worst round; CPU: gateway process CPU time / requests (all instances); RSS: peak per instance under load');
    console.log(
      `machine: ${cpus().length} cores shared by the load generator, every gateway process and PostgreSQL; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    let failed = false;
    for (const withKeys of [false, true]) {
      console.log(withKeys ? '\nwith a fresh Idempotency-Key per request (claim, then room and key completion in one statement):' : '\nwithout Idempotency-Key (one insert per request):');
      for (const [name] of configs) {
        const r = results[`${name}|${withKeys}`];
        if (r.errors > 0) failed = true;
        console.log(`  ${name.padEnd(25)} ${fmt(r)}`);
      }
      const ratio = results[`PostgreSQL, 2 instances|${withKeys}`].rps / results[`PostgreSQL, 1 instance|${withKeys}`].rps;
      console.log(`  ratio 2 instances / 1 instance (PostgreSQL): ${ratio.toFixed(2)}`);
      const sqliteCpu = results[`SQLite, 1 instance|${withKeys}`].cpuUsPerRequest;
      const keys = withKeys ? 'with key' : 'no key';
      for (const name of ['PostgreSQL, 1 instance', 'PostgreSQL, 2 instances']) {
        budgets.check(`CPU per request, ${name} / SQLite (${keys})`, results[`${name}|${withKeys}`].cpuUsPerRequest / sqliteCpu, '<=', 1.5);
      }
    }

    // Round trips at the wire, on an instance of its own talking to PostgreSQL through the counter.
    const counter = await startRoundTripCounter({ host: '127.0.0.1', port: cluster.port });
    try {
      const countedUrl = new URL(await cluster.createDatabase('bench_counted'));
      countedUrl.port = String(counter.port);
      const counted = await start({ DATABASE_URL: countedUrl.href });
      await createRooms(counted.url, 100, true);
      // Alone, a creation's statements are its own (the budget); concurrent ones share statements (batched.ts).
      console.log('\ndatabase round trips per room creation (PostgreSQL, counted at the wire: Sync and Query messages):');
      for (const withKeys of [false, true]) {
        const perCreation = async (n, parallel) => {
          const before = counter.roundTrips();
          const created = await createRooms(counted.url, n, withKeys, parallel);
          if (created < n) failed = true;
          return (counter.roundTrips() - before) / n;
        };
        const alone = await perCreation(ROUND_TRIP_CREATIONS / 5, 1);
        const together = await perCreation(ROUND_TRIP_CREATIONS, 10);
        budgets.check(`round trips per creation alone, ${withKeys ? 'with an Idempotency-Key' : 'without Idempotency-Key'}`, alone, '<=', withKeys ? 2 : 1);
        console.log(`    10 creations at a time: ${together.toFixed(2)} per creation (statements shared by the creations of one turn)`);
      }
      await counted.stop();
    } finally {
      await counter.close();
    }
    console.log(
      `\nOn ${cpus().length} cores the second instance competes for the same CPUs as the first, PostgreSQL and the load` +
        '\ngenerator: the ratio shows the cost of sharing, not the gain of scaling out. On separate machines each instance' +
        '\nbrings its own CPU; measure there to size a deployment.',
    );
    budgets.summary('--scale budgets (one run)');
    if (failed) process.exitCode = 1;
  } finally {
    await Promise.all(started.map((g) => g.stop()));
    await cluster.destroy();
  }
}
