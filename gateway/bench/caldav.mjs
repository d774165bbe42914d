// `npm run bench` (calendar part): "add Visio to an existing event" through the gateway against the same
// GET + patch + PUT done directly with tsdav, on the same Radicale, in one run. Budget: gateway <= 1.3x.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateCalendarObject } from 'tsdav';
import { addRoomToIcs } from '@visio/shared/ics';
import { generateRoomCode } from '@visio/shared';

const here = dirname(fileURLToPath(import.meta.url));
const PER_ROUND = Number(process.env.BENCH_CALDAV_EVENTS ?? 40);
const ROUNDS = 4;
const BUDGET = 1.3;

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
  writeFileSync(join(dir, 'users'), 'alice:bench\n');
  writeFileSync(
    join(dir, 'config'),
    `[server]\nhosts = 127.0.0.1:${port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = ${join(dir, 'users')}\nhtpasswd_encryption = plain\ndelay = 0\n[rights]\ntype = owner_only\n[storage]\nfilesystem_folder = ${join(dir, 'collections')}\n[logging]\nlevel = warning\n`,
  );
  const child = spawn('/usr/bin/radicale', ['--config', join(dir, 'config')], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`${origin}/`, { method: 'OPTIONS' });
      return { origin, stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) };
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
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

const event = (uid) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//bench//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261101T000000Z',
    'DTSTART:20261201T090000Z', 'DTEND:20261201T100000Z', 'SUMMARY:Réunion de service', 'LOCATION:Salle 4',
    'DESCRIPTION:Ordre du jour', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

const dir = mkdtempSync(join(tmpdir(), 'visio-bench-caldav-'));
const radicale = await startRadicale(dir);
const authorization = `Basic ${Buffer.from('alice:bench').toString('base64')}`;
// One calendar per path: Radicale's writes slow down as a collection grows (it checks UIDs across it),
// so both paths work on collections of the same size.
const calendars = { gateway: `${radicale.origin}/alice/via-gateway/`, direct: `${radicale.origin}/alice/direct/` };
await fetch(`${radicale.origin}/alice/`, { method: 'PROPFIND', headers: { authorization, depth: '0' } });
for (const url of Object.values(calendars)) await fetch(url, { method: 'MKCALENDAR', headers: { authorization } });
const gateway = await startGateway({ PORT: '0', VISIO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', CALDAV_SERVERS: `${radicale.origin}/` });

async function makeEvents(calendar, n) {
  const hrefs = [];
  for (let i = 0; i < n; i++) {
    const href = `${calendar}${randomUUID()}.ics`;
    const r = await fetch(href, { method: 'PUT', headers: { authorization, 'content-type': 'text/calendar' }, body: event(randomUUID()) });
    if (r.status >= 300) throw new Error(`PUT ${r.status}`);
    hrefs.push(href);
  }
  return hrefs;
}

async function viaGateway(href) {
  const r = await fetch(`${gateway.url}/v1/calendars/events/visio`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-caldav-authorization': authorization },
    body: JSON.stringify({ calendar: calendars.gateway, href }),
  });
  const body = await r.json();
  if (r.status !== 200 || !body.changed) throw new Error(`gateway answered ${r.status}: ${JSON.stringify(body)}`);
}

async function direct(href) {
  const got = await fetch(href, { headers: { authorization } });
  const data = await got.text();
  const code = generateRoomCode();
  const patched = addRoomToIcs(data, { code, url: `https://visio.numerique.gouv.fr/${code}` });
  const r = await updateCalendarObject({ calendarObject: { url: href, etag: got.headers.get('etag'), data: patched }, headers: { authorization } });
  if (!r.ok) throw new Error(`direct PUT ${r.status}`);
}

async function timed(fn, hrefs) {
  const start = performance.now();
  for (const href of hrefs) await fn(href);
  return (performance.now() - start) / hrefs.length;
}

try {
  // All events first (same collection sizes for both paths), warm-up, then alternated rounds.
  const events = { gateway: [], direct: [] };
  for (let round = 0; round <= ROUNDS; round++) {
    events.gateway.push(await makeEvents(calendars.gateway, round === 0 ? 10 : PER_ROUND));
    events.direct.push(await makeEvents(calendars.direct, round === 0 ? 10 : PER_ROUND));
  }
  await timed(viaGateway, events.gateway[0]);
  await timed(direct, events.direct[0]);
  // Per event, alternating paths (and which goes first), so machine load drifts hit both alike.
  const ms = { gateway: [], direct: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      const order = (round + i) % 2 ? ['direct', 'gateway'] : ['gateway', 'direct'];
      for (const path of order) {
        const start = performance.now();
        await (path === 'gateway' ? viaGateway : direct)(events[path][round][i]);
        ms[path].push(performance.now() - start);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const g = median(ms.gateway);
  const d = median(ms.direct);
  const ratio = g / d;
  console.log(`add Visio to an existing event (Radicale, ${ROUNDS * PER_ROUND} events per path, sequential, alternated; medians):`);
  console.log(`  direct (GET + patch + PUT with tsdav): ${d.toFixed(2)} ms per event`);
  console.log(`  through the gateway:                   ${g.toFixed(2)} ms per event`);
  console.log(`  ratio gateway/direct: ${ratio.toFixed(2)} (budget <= ${BUDGET}: ${ratio <= BUDGET ? 'ok' : 'OVER BUDGET'})`);
} finally {
  await gateway.stop();
  await radicale.stop();
  rmSync(dir, { recursive: true, force: true });
}
