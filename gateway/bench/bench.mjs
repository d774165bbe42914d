// `npm run bench` (gateway part): POST /v1/rooms against a bare Hono route, in one run, with a CPU profile of
// the gateway under the same load; then the calendar benchmark (caldav.mjs) and a closing list of budgets.
// `npm run bench -- --scale`: instances on PostgreSQL instead (scale.mjs). Run through tsx: the PostgreSQL
// harness of @visio/testing is TypeScript.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import ts from 'typescript';
import { beginSignIn, readRedirect } from '@visio/shared/sign-in';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createBudgets } from './budgets.mjs';
import { caldavBench } from './caldav.mjs';
import { withFreshKey } from './fresh-key.mjs';
import { cpuMs } from './proc.mjs';
import { cpuProfileFlags, formatTop, selfTimes } from './profile.mjs';
import { renderInvitation } from '@visio/shared/invitation';
import { buildMeetingIcs } from '@visio/shared/ics';

const here = dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAIN = join(here, '..', 'dist', 'main.js');

function startProcess(script, env = {}, nodeFlags = []) {
  const child = spawn(process.execPath, [...nodeFlags, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stopping;
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1],
          pid: child.pid,
          stop: () =>
            (stopping ??= new Promise((r) => {
              child.on('exit', r);
              child.kill('SIGTERM');
            })),
        });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}

/**
 * Load on one target; with `pid`, also that process's CPU time per request (µs), steadier than req/s on shared
 * cores; with `keyed`, a fresh Idempotency-Key on every request, as every client sends.
 */
async function load(url, path, body, headers = {}, seconds = SECONDS, pid = undefined, keyed = false) {
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const result = await new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${path}`,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), ...(keyed ? { setupRequest: withFreshKey } : {}) }],
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
  });
  if (pid) result.cpuUsPerRequest = ((cpuMs(pid) - cpuBefore) * 1000) / result.requests.total;
  return result;
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

if (process.argv.includes('--scale')) {
  const { scaleBench } = await import('./scale.mjs');
  await scaleBench();
  process.exit();
}

// The real OpenID provider of the tests (testing/src/oidc-provider.ts), transpiled next to its dependencies.
async function loadTestProvider() {
  const testing = join(here, '..', '..', 'testing');
  const source = readFileSync(join(testing, 'src', 'oidc-provider.ts'), 'utf8');
  const out = join(testing, 'dist', 'oidc-provider.mjs');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  return import(out);
}

async function freePort() {
  const probe = createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

/** Signs alice in through the provider's login and consent pages, as a client would: a real access token. */
async function signIn(gatewayUrl, TestUserAgent) {
  const client = { clientId: 'bench', redirectUri: 'https://bench.example/callback' };
  const pending = await beginSignIn({ endpoints: { loginUrl: `${gatewayUrl}/auth/login`, tokenUrl: '' }, ...client });
  const landed = await new TestUserAgent().signIn(pending.url, 'alice', (u) => u.origin === 'https://bench.example');
  const response = await fetch(`${gatewayUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: readRedirect(landed.href, pending),
      code_verifier: pending.verifier,
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
    }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  return (await response.json()).access_token;
}

/**
 * Where the time goes: a gateway started with --cpu-prof, under the same load (profiling slows it, so apart
 * from the timed rounds); start-up and warm-up samples are left out. Prints the top ten by self time.
 */
async function profileUnderLoad(title, env, headers = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'visio-bench-profile-'));
  const spawnedAt = performance.now();
  const profiled = await startProcess(MAIN, env, cpuProfileFlags(dir));
  try {
    await load(profiled.url, '/v1/rooms', { title: 'Réunion de service' }, headers, 1);
    const skipMs = performance.now() - spawnedAt;
    await load(profiled.url, '/v1/rooms', { title: 'Réunion de service' }, headers);
    await profiled.stop();
    console.log(`\n== gateway CPU profile, ${title} (${SECONDS} s, ${CONNECTIONS} connections): top ten functions by self time ==`);
    console.log(formatTop(selfTimes(dir, { root: join(here, '..'), skipMs }), Number(process.env.BENCH_PROFILE_TOP ?? 10)));
  } finally {
    await profiled.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `-- --only=rooms,calendars,switch`: some parts only (all by default), e.g. to re-measure one figure.
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const part = (name) => !only || only.includes(name);

async function roomsBench(budgets) {
  const dataDir = mkdtempSync(join(tmpdir(), 'visio-bench-'));
  const oidcDataDir = mkdtempSync(join(tmpdir(), 'visio-bench-oidc-'));
  const { startOidcProvider, TestUserAgent } = await loadTestProvider();
  const oidcPort = await freePort();
  const op = await startOidcProvider({ clients: [{ client_id: 'visio-gateway', client_secret: 'bench-secret-0123456789abcdef', redirect_uris: [`http://127.0.0.1:${oidcPort}/auth/callback`] }] });
  const bare = await startProcess(join(here, 'bare.mjs'));
  const gateway = await startProcess(MAIN, { PORT: '0', VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const signedInEnv = {
    PORT: String(oidcPort),
    VISIO_DATA_DIR: oidcDataDir,
    LOG_LEVEL: 'silent',
    OIDC_ISSUER: op.issuer,
    OIDC_CLIENT_ID: 'visio-gateway',
    OIDC_CLIENT_SECRET: 'bench-secret-0123456789abcdef',
    VISIO_CLIENTS: JSON.stringify({ bench: ['https://bench.example/callback'] }),
    // The benchmark measures token verification, not the limiter refusing it.
    RATE_LIMIT_ROOMS_PER_USER: '0',
    RATE_LIMIT_ROOMS_PER_ADDRESS: '0',
  };
  const signedIn = await startProcess(MAIN, signedInEnv);
  try {
    const body = { title: 'Réunion de service' };
    const bearer = { authorization: `Bearer ${await signIn(signedIn.url, TestUserAgent)}` };
    // Warm all (JIT, SQLite pages), then alternate so drift on a noisy machine hits all alike.
    await load(bare.url, '/echo', body);
    await load(gateway.url, '/v1/rooms', body);
    await load(signedIn.url, '/v1/rooms', body, bearer);
    await load(gateway.url, '/v1/rooms', body, {}, SECONDS, undefined, true);
    const runs = { bare: [], gateway: [], signedIn: [], keyed: [] };
    for (let i = 0; i < ROUNDS; i++) {
      runs.bare.push(await load(bare.url, '/echo', body, {}, SECONDS, bare.pid));
      runs.gateway.push(await load(gateway.url, '/v1/rooms', body, {}, SECONDS, gateway.pid));
      runs.signedIn.push(await load(signedIn.url, '/v1/rooms', body, bearer, SECONDS, signedIn.pid));
      runs.keyed.push(await load(gateway.url, '/v1/rooms', body, {}, SECONDS, gateway.pid, true));
    }
    // Throughput: mean over rounds. p99: mean of the rounds' p99, the same statistic for every target.
    const summarize = (results) => ({
      rps: results.reduce((s, r) => s + r.requests.average, 0) / results.length,
      p99: results.reduce((s, r) => s + r.latency.p99, 0) / results.length,
      errors: results.reduce((s, r) => s + r.errors + r.non2xx, 0),
      cpu: results.reduce((s, r) => s + r.cpuUsPerRequest * r.requests.total, 0) / results.reduce((s, r) => s + r.requests.total, 0),
    });
    const b = summarize(runs.bare);
    const g = summarize(runs.gateway);
    const a = summarize(runs.signedIn);
    const k = summarize(runs.keyed);

    const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij', telephony: { phoneNumber: '+33187210000', pin: '1234567890' } };
    const icsPerSecond = perSecond((n) => buildMeetingIcs({ uid: `bench-${n}`, title: 'Réunion', start: '2026-12-01T10:00:00', end: '2026-12-01T11:00:00', timeZone: 'Europe/Paris', room }));
    const invitationsPerSecond = perSecond(() => renderInvitation({ room, title: 'Réunion <de> service', lang: 'fr' }));

    console.log('\n== gateway: POST /v1/rooms (standalone, SQLite; without a key, and with a fresh Idempotency-Key as clients send) vs a bare Hono JSON POST, same run ==');
    console.log(`connections ${CONNECTIONS}, ${ROUNDS} rounds of ${SECONDS} s each, alternated; req/s and p99 are means over rounds; CPU: the server process's CPU time / requests`);
    const row = (name, r) =>
      console.log(`${name.padEnd(30)} ${r.rps.toFixed(0).padStart(7)} req/s   p99 ${r.p99.toFixed(1).padStart(6)} ms   CPU ${r.cpu.toFixed(0).padStart(4)} µs/request   errors ${r.errors}`);
    row('bare Hono', b);
    row('POST /v1/rooms', g);
    row('POST /v1/rooms, signed in', a);
    row('POST /v1/rooms, Idempotency-Key', k);
    budgets.check('POST /v1/rooms throughput / bare Hono', g.rps / b.rps, '>=', 0.7);
    budgets.check('POST /v1/rooms with a fresh Idempotency-Key / bare', k.rps / b.rps, '>=', 0.7);
    budgets.check('POST /v1/rooms signed in (JWT verified) throughput / bare', a.rps / b.rps, '>=', 0.65);
    budgets.check("POST /v1/rooms p99 / bare Hono's p99", g.p99 / b.p99, '<=', 1.5);
    budgets.check("POST /v1/rooms signed in p99 / bare Hono's p99", a.p99 / b.p99, '<=', 1.5);
    budgets.check("POST /v1/rooms with a fresh Idempotency-Key p99 / bare's", k.p99 / b.p99, '<=', 1.5);
    console.log(`ICS builds         ${icsPerSecond.toFixed(0)} /s`);
    console.log(`invitation renders ${invitationsPerSecond.toFixed(0)} /s`);
    if (g.errors > 0 || a.errors > 0 || k.errors > 0) process.exitCode = 1;

    await gateway.stop();
    await profileUnderLoad('POST /v1/rooms', { PORT: '0', VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    // Same port, data folder (token secret, session) and settings: the access token stays valid.
    await signedIn.stop();
    await profileUnderLoad('POST /v1/rooms signed in', signedInEnv, bearer);
  } finally {
    await bare.stop();
    await gateway.stop();
    await signedIn.stop();
    await op.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(oidcDataDir, { recursive: true, force: true });
  }
}

const budgets = createBudgets();
if (part('rooms')) await roomsBench(budgets);
if (part('calendars')) await caldavBench(budgets);
// The switch-to-Visio part (a migration on a local SOGo) after that, through tsx: SOGo's launcher is TypeScript.
if (part('switch')) {
  const result = join(mkdtempSync(join(tmpdir(), 'visio-bench-switch-result-')), 'result.json');
  await new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'switch.mjs')], { stdio: 'inherit', env: { ...process.env, BENCH_SWITCH_RESULT: result } });
    child.once('exit', (code) => (code === 0 ? resolveRun(undefined) : rejectRun(new Error(`switch bench exited with ${code}`))));
  });
  const { ratio, budget } = JSON.parse(readFileSync(result, 'utf8'));
  budgets.check('switch 500 Teams events on SOGo, gateway / direct tsdav', ratio, '<=', budget);
  rmSync(dirname(result), { recursive: true, force: true });
}
budgets.summary('gateway and calendar budgets (one run; ratios side by side)');
