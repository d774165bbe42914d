// `npm run bench` (calendar part): the gateway's calendar actions against the same CalDAV requests sent
// directly with tsdav, on the same Radicale, in one run, through a loopback proxy that holds every request
// 20 ms (a network round trip). Printed: time per operation, the ratio to direct, and the upstream requests
// each operation sends. Budgets: add Visio <= 1.1x direct (GET + patch + PUT); upcoming meetings over 50
// calendars <= 1.5x the same REPORTs sent directly at the same concurrency (discovery warm in both).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calendarQuery, createAccount, fetchCalendars } from 'tsdav';
import { addRoomToIcs } from '@visio/shared/ics';
import { generateRoomCode } from '@visio/shared';
import { startDelayProxy } from './delay-proxy.mjs';
import { patchEventDirect, pool } from './direct-caldav.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DELAY_MS = Number(process.env.BENCH_CALDAV_DELAY_MS ?? 20);
const PER_ROUND = Number(process.env.BENCH_CALDAV_EVENTS ?? 20);
const ROUNDS = 3;
const CALENDARS = 50;
const UPCOMING_RUNS = Number(process.env.BENCH_UPCOMING_RUNS ?? 8);
// The direct path uses the gateway's own bound on parallel calendar queries when it exports one.
const gatewayCalendars = await import('../dist/calendars.js').catch(() => ({}));
const CONCURRENCY = Number(gatewayCalendars.UPCOMING_CONCURRENCY ?? process.env.BENCH_UPCOMING_CONCURRENCY ?? 6);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startRadicale(dir) {
  const port = await freePort();
  writeFileSync(join(dir, 'users'), 'alice:bench\nbob:bench\n');
  writeFileSync(
    join(dir, 'config'),
    `[server]\nhosts = 127.0.0.1:${port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = ${join(dir, 'users')}\nhtpasswd_encryption = plain\ndelay = 0\n[rights]\ntype = owner_only\n[storage]\nfilesystem_folder = ${join(dir, 'collections')}\n[logging]\nlevel = warning\n`,
  );
  const child = spawn('/usr/bin/radicale', ['--config', join(dir, 'config')], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`${origin}/`, { method: 'OPTIONS' });
      return {
        origin,
        stop: () =>
          new Promise((r) => {
            child.on('exit', r);
            child.kill('SIGTERM');
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('Radicale did not start (is the Debian radicale package installed? npm test installs it)');
}

function startGateway(env) {
  const child = spawn(process.execPath, [join(here, '..', 'dist', 'main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1],
          stop: () =>
            new Promise((r) => {
              child.on('exit', r);
              child.kill('SIGTERM');
            }),
        });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

const stamp = (d) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
const event = (uid, { start = new Date('2026-12-01T09:00:00Z'), description = 'Ordre du jour' } = {}) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//bench//bench//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261101T000000Z',
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(new Date(start.getTime() + 3_600_000))}`,
    'SUMMARY:Réunion de service',
    'LOCATION:Salle 4',
    `DESCRIPTION:${description}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const basic = (user) => `Basic ${Buffer.from(`${user}:bench`).toString('base64')}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function put(url, authorization, body) {
  const r = await fetch(url, { method: 'PUT', headers: { authorization, 'content-type': 'text/calendar' }, body });
  if (r.status >= 300) throw new Error(`PUT ${url}: ${r.status}`);
}

/** Runs one operation alone and returns its time and the upstream requests it sent. */
async function measured(proxy, fn) {
  const before = proxy.counts();
  const start = performance.now();
  await fn();
  const end = performance.now();
  const ms = end - start;
  const after = proxy.counts();
  // The client's own time: before the first upstream request, between an answer and the next request, and
  // after the last answer (the proxy's hold and the server's work are outside these).
  const upstream = proxy.since(start);
  const own = upstream.length
    ? {
        before: upstream[0].arrived - start,
        between: upstream.slice(1).reduce((sum, e, i) => sum + (e.arrived - upstream[i].answered), 0),
        after: end - upstream.at(-1).answered,
      }
    : undefined;
  const byMethod = {};
  for (const [m, n] of Object.entries(after.byMethod)) if (n - (before.byMethod[m] ?? 0) > 0) byMethod[m] = n - (before.byMethod[m] ?? 0);
  return { ms, requests: after.total - before.total, byMethod, own };
}

/** "2 (GET 1, PUT 1)": the mean upstream requests per operation, by method. */
function requestsPerOp(samples) {
  const methods = {};
  for (const s of samples) for (const [m, n] of Object.entries(s.byMethod)) methods[m] = (methods[m] ?? 0) + n;
  const per = (n) => String(Math.round((n / samples.length) * 10) / 10);
  const total = samples.reduce((sum, s) => sum + s.requests, 0);
  return `${per(total)} (${Object.entries(methods)
    .map(([m, n]) => `${m} ${per(n)}`)
    .join(', ')})`;
}

export async function caldavBench(budgets) {
  const dir = mkdtempSync(join(tmpdir(), 'visio-bench-caldav-'));
  const radicale = await startRadicale(dir);
  const proxy = await startDelayProxy(radicale.origin, DELAY_MS);
  const alice = basic('alice');
  const bob = basic('bob');
  // Set-up goes to Radicale directly; only the measured operations cross the proxy. One calendar per path:
  // Radicale's writes slow down as a collection grows (it checks UIDs across it).
  const setup = { gateway: `${radicale.origin}/alice/via-gateway/`, direct: `${radicale.origin}/alice/direct/` };
  await fetch(`${radicale.origin}/alice/`, { method: 'PROPFIND', headers: { authorization: alice, depth: '0' } });
  for (const url of Object.values(setup)) await fetch(url, { method: 'MKCALENDAR', headers: { authorization: alice } });
  await fetch(`${radicale.origin}/bob/`, { method: 'PROPFIND', headers: { authorization: bob, depth: '0' } });
  const soon = new Date(Date.now() + 2 * 3_600_000);
  for (let i = 0; i < CALENDARS; i++) {
    const url = `${radicale.origin}/bob/cal-${String(i).padStart(2, '0')}/`;
    await fetch(url, { method: 'MKCALENDAR', headers: { authorization: bob } });
    const code = generateRoomCode();
    await put(`${url}${randomUUID()}.ics`, bob, event(randomUUID(), { start: soon, description: `Visio : https://visio.numerique.gouv.fr/${code}` }));
    await put(`${url}${randomUUID()}.ics`, bob, event(randomUUID(), { start: soon }));
  }
  const gateway = await startGateway({ PORT: '0', VISIO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', CALDAV_SERVERS: `${proxy.origin}/` });
  const viaProxy = (url) => url.replace(radicale.origin, proxy.origin);

  async function makeEvents(calendar, n) {
    const hrefs = [];
    for (let i = 0; i < n; i++) {
      const path = `${calendar}${randomUUID()}.ics`;
      await put(path, alice, event(randomUUID()));
      hrefs.push(viaProxy(path));
    }
    return hrefs;
  }

  async function addViaGateway(href) {
    const r = await fetch(`${gateway.url}/v1/calendars/events/visio`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-caldav-authorization': alice },
      body: JSON.stringify({ calendar: viaProxy(setup.gateway), href }),
    });
    const body = await r.json();
    if (r.status !== 200 || !body.changed) throw new Error(`gateway answered ${r.status}: ${JSON.stringify(body)}`);
  }

  const addDirect = (href) => patchEventDirect(href, alice, addRoomToIcs);

  // Direct upcoming: discovery once (warm), then the gateway's REPORT on every calendar at the same concurrency.
  const bobHeaders = { authorization: bob };
  const account = await createAccount({ account: { serverUrl: `${proxy.origin}/`, accountType: 'caldav' }, headers: bobHeaders });
  const bobCalendars = (await fetchCalendars({ account, headers: bobHeaders })).map((c) => c.url);
  if (bobCalendars.length < CALENDARS) throw new Error(`expected ${CALENDARS} calendars, found ${bobCalendars.length}`);
  const window = () => {
    const now = new Date();
    return { start: stamp(now), end: stamp(new Date(now.getTime() + 24 * 3_600_000)) };
  };
  async function upcomingDirect() {
    const range = window();
    await pool(bobCalendars, CONCURRENCY, (url) =>
      calendarQuery({
        url,
        props: { 'd:getetag': {}, 'c:calendar-data': {} },
        filters: { 'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': { _attributes: { name: 'VEVENT' }, 'time-range': { _attributes: range } } } },
        depth: '1',
        headers: bobHeaders,
      }),
    );
  }
  async function upcomingViaGateway() {
    const r = await fetch(`${gateway.url}/v1/meetings/upcoming?hours=24`, { headers: { 'x-caldav-authorization': bob } });
    const body = await r.json();
    if (r.status !== 200 || body.items?.length !== CALENDARS) throw new Error(`gateway answered ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }

  try {
    // All events first (same collection sizes for both paths), warm-up (discovery, JIT), then alternated.
    const events = { gateway: [], direct: [] };
    for (let round = 0; round <= ROUNDS; round++) {
      events.gateway.push(await makeEvents(setup.gateway, round === 0 ? 5 : PER_ROUND));
      events.direct.push(await makeEvents(setup.direct, round === 0 ? 5 : PER_ROUND));
    }
    for (const href of events.gateway[0]) await addViaGateway(href);
    for (const href of events.direct[0]) await addDirect(href);
    const add = { gateway: [], direct: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) {
        // Which path goes first alternates, so load drifts on a shared machine hit both alike.
        const order = (round + i) % 2 ? ['direct', 'gateway'] : ['gateway', 'direct'];
        for (const path of order) {
          const href = events[path][round][i];
          add[path].push(await measured(proxy, () => (path === 'gateway' ? addViaGateway(href) : addDirect(href))));
        }
      }
    }

    await upcomingViaGateway();
    await upcomingDirect();
    const upcoming = { gateway: [], direct: [] };
    for (let i = 0; i < UPCOMING_RUNS; i++) {
      for (const path of i % 2 ? ['direct', 'gateway'] : ['gateway', 'direct']) {
        upcoming[path].push(await measured(proxy, path === 'gateway' ? upcomingViaGateway : upcomingDirect));
      }
    }

    const report = (title, samples, direct, gatewayName, budget, sequential = false) => {
      const g = median(samples.gateway.map((s) => s.ms));
      const d = median(samples.direct.map((s) => s.ms));
      console.log(title);
      console.log(`  direct (${direct}):`.padEnd(58) + `${d.toFixed(1).padStart(8)} ms   upstream requests ${requestsPerOp(samples.direct)}`);
      console.log(`  through the gateway:`.padEnd(58) + `${g.toFixed(1).padStart(8)} ms   upstream requests ${requestsPerOp(samples.gateway)}`);
      const own = (path) => {
        const part = (k) => median(samples[path].map((s) => s.own?.[k] ?? Number.NaN)).toFixed(1);
        return `own time: ${part('before')} before the first upstream request, ${part('between')} between answer and next request, ${part('after')} after the last answer (ms)`;
      };
      if (sequential) console.log(`    direct ${own('direct')}\n    gateway ${own('gateway')}`);
      budgets.check(`${gatewayName} through the gateway / direct tsdav`, g / d, '<=', budget);
    };
    console.log(`\n== calendars: Radicale behind a loopback proxy adding ${DELAY_MS} ms per request; medians, alternated, one run ==`);
    report(`add Visio to an existing event (${ROUNDS * PER_ROUND} events per path, one at a time):`, add, 'GET + patch + PUT with tsdav', 'add Visio', 1.1, true);
    report(
      `upcoming meetings over ${CALENDARS} calendars (${UPCOMING_RUNS} runs per path; direct at concurrency ${CONCURRENCY}${gatewayCalendars.UPCOMING_CONCURRENCY ? ", the gateway's" : ', assumed'}):`,
      upcoming,
      `${CALENDARS} REPORTs with tsdav, discovery done once`,
      `upcoming over ${CALENDARS} calendars`,
      1.5,
    );
  } finally {
    await gateway.stop();
    await proxy.close();
    await radicale.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
