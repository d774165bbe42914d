// `npm run bench` (gateway part): POST /v1/rooms against a bare Hono route, in one run, plus core throughputs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { renderInvitation } from '@visio/shared/invitation';
import { buildMeetingIcs } from '@visio/shared/ics';

const here = dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 2;

function startProcess(script, env = {}) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}

function load(url, path, body) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `${url}${path}`, method: 'POST', connections: CONNECTIONS, duration: SECONDS, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

function perSecond(fn, ms = 1500) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn(n);
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const dataDir = mkdtempSync(join(tmpdir(), 'visio-bench-'));
const bare = await startProcess(join(here, 'bare.mjs'));
const gateway = await startProcess(join(here, '..', 'dist', 'main.js'), { PORT: '0', VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
try {
  const body = { title: 'Réunion de service' };
  // Warm both (JIT, SQLite pages), then alternate so drift on a noisy machine hits both alike.
  await load(bare.url, '/echo', body);
  await load(gateway.url, '/v1/rooms', body);
  const runs = { bare: [], gateway: [] };
  for (let i = 0; i < ROUNDS; i++) {
    runs.bare.push(await load(bare.url, '/echo', body));
    runs.gateway.push(await load(gateway.url, '/v1/rooms', body));
  }
  const summarize = (results) => ({
    rps: results.reduce((s, r) => s + r.requests.average, 0) / results.length,
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((s, r) => s + r.errors + r.non2xx, 0),
  });
  const b = summarize(runs.bare);
  const g = summarize(runs.gateway);
  const ratio = g.rps / b.rps;

  const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij', telephony: { phoneNumber: '+33187210000', pin: '1234567890' } };
  const icsPerSecond = perSecond((n) =>
    buildMeetingIcs({ uid: `bench-${n}`, title: 'Réunion', start: '2026-12-01T10:00:00', end: '2026-12-01T11:00:00', timeZone: 'Europe/Paris', room }),
  );
  const invitationsPerSecond = perSecond(() => renderInvitation({ room, title: 'Réunion <de> service', lang: 'fr' }));

  const ok = (cond) => (cond ? 'ok' : 'OVER BUDGET');
  console.log('\n== gateway: POST /v1/rooms (standalone, SQLite, idempotency off) vs bare Hono JSON POST ==');
  console.log(`connections ${CONNECTIONS}, ${ROUNDS} rounds of ${SECONDS} s each, alternated`);
  console.log(`bare Hono      ${b.rps.toFixed(0).padStart(7)} req/s   p99 ${b.p99} ms   errors ${b.errors}`);
  console.log(`POST /v1/rooms ${g.rps.toFixed(0).padStart(7)} req/s   p99 ${g.p99} ms   errors ${g.errors}`);
  console.log(`ratio gateway/bare ${ratio.toFixed(2)} (budget >= 0.40: ${ok(ratio >= 0.4)}); gateway p99 ${g.p99} ms (budget <= 10 ms: ${ok(g.p99 <= 10)})`);
  console.log(`ICS builds      ${icsPerSecond.toFixed(0)} /s`);
  console.log(`invitation renders ${invitationsPerSecond.toFixed(0)} /s`);
  if (g.errors > 0) process.exitCode = 1;
} finally {
  await bare.stop();
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
