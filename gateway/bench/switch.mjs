// `npm run bench` (switch part): a migration of 500 Teams events to Visio through the gateway
// (POST /v1/calendars/migrations, then apply) against the same GET + patch + PUT done directly with tsdav,
// on the same local SOGo, in one run. Budget: gateway time <= 1.3x direct time. Runs under tsx (SOGo's
// launcher in @visio/testing is TypeScript).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeForeignMeetings } from '@visio/shared/foreign-meetings';
import { addRoomToIcs } from '@visio/shared/ics';
import { startGatewayProcess } from '@visio/testing/gateway-process';
import { startSogo } from '@visio/testing/sogo';
import { patchEventDirect, pool } from './direct-caldav.mjs';

const EVENTS = Number(process.env.BENCH_SWITCH_EVENTS ?? 500);
const ROUNDS = 2;
const PER_ROUND = Math.ceil(EVENTS / ROUNDS);
// The gateway switches two events at a time (migrations.ts); the direct path does the same.
const CONCURRENCY = 2;
const BUDGET = 1.3;
const ME = 'alice@example.test';

const TEAMS_URL = 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw%40thread.v2/0?context=%7b%22Tid%22%3a%220%22%7d';
const RULE = '_'.repeat(80);
// Shaped as shared/test/fixtures/foreign-meetings/teams/text-en-exchange.txt.
const description = [`Agenda: budget.`, '', RULE, 'Microsoft Teams meeting', `Join the meeting now<${TEAMS_URL}>`, 'Meeting ID: 344 674 159 108 1', 'Passcode: ps3JH7YK', RULE, 'See you.'].join('\\n');
const stamp = (d) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
const event = (uid, start) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//bench//bench//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261101T000000Z',
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(new Date(start.getTime() + 3_600_000))}`,
    'SUMMARY:Point hebdo',
    `ORGANIZER:mailto:${ME}`,
    'LOCATION:Microsoft Teams Meeting',
    `DESCRIPTION:${description}`,
    `X-MICROSOFT-SKYPETEAMSMEETINGURL:${TEAMS_URL}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

// SOGo drops kept-alive connections at will: a request that meets a closed socket is sent again, as the
// gateway's migration retries an event whose server dropped the connection.
async function again(fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = error?.cause?.code;
      if (attempt === 5 || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
    }
  }
}

/** Two at a time, each retried on a dropped connection. */
const twoAtATime = (items, fn) => pool(items, CONCURRENCY, (item) => again(() => fn(item)));

const sogo = await startSogo({ alice: { password: 'bench', name: 'Alice Martin', email: ME } }, { workers: 8 });
const authorization = sogo.basic('alice');
const calendar = sogo.calendarUrl('alice');
const dataDir = mkdtempSync(join(tmpdir(), 'visio-bench-switch-'));
const gateway = await startGatewayProcess({ VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'silent', CALDAV_SERVERS: sogo.url, VISIO_LOCAL_USER_EMAIL: ME }, 30_000);
const gw = async (method, path, body) => {
  const r = await fetch(`${gateway.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-caldav-authorization': authorization }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return r.json();
};

/** One month of events per path and round, all in the same collection (same size for both paths). */
const month = (path, round) => new Date(Date.UTC(2027, (path === 'gateway' ? 0 : 6) + round, 1));
async function makeEvents(path, round) {
  const start = month(path, round);
  const hrefs = Array.from({ length: PER_ROUND }, (_, i) => `${calendar}bench-${path}-${round}-${i}.ics`);
  await twoAtATime(
    hrefs.map((href, i) => [href, i]),
    async ([href, i]) => {
      const r = await fetch(href, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'text/calendar' },
        body: event(`bench-${path}-${round}-${i}`, new Date(start.getTime() + (i % 27) * 86_400_000 + (i % 9) * 3_600_000)),
      });
      await r.text();
      if (r.status >= 300) throw new Error(`PUT ${r.status}`);
    },
  );
  return hrefs;
}

async function viaGateway(round) {
  const from = month('gateway', round);
  const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  const planStart = performance.now();
  const plan = await gw('POST', '/v1/calendars/migrations', { from: from.toISOString(), to: to.toISOString() });
  const planMs = performance.now() - planStart;
  if (plan.toConvert !== PER_ROUND) throw new Error(`plan found ${plan.toConvert} events, expected ${PER_ROUND}`);
  const start = performance.now();
  let m = await gw('POST', `/v1/calendars/migrations/${plan.id}/apply`, {});
  while (m.status === 'running') {
    // Polled sparingly while many events are left (each poll reads and serialises the whole migration in the
    // gateway process), then closely: a 250 ms step at the end would be counted as the gateway's time.
    await new Promise((r) => setTimeout(r, m.toConvert - m.processed > 8 ? 250 : 10));
    m = await gw('GET', `/v1/calendars/migrations/${plan.id}`);
  }
  const applyMs = performance.now() - start;
  const failed = m.items.filter((i) => i.result !== 'converted');
  if (failed.length) throw new Error(`${failed.length} events not converted: ${failed[0].error}`);
  return { planMs, applyMs };
}

async function direct(hrefs) {
  const start = performance.now();
  await twoAtATime(hrefs, (href) => patchEventDirect(href, authorization, (ics, room) => addRoomToIcs(removeForeignMeetings(ics), room)));
  return performance.now() - start;
}

try {
  const events = { gateway: [], direct: [] };
  for (let round = 0; round < ROUNDS; round++) {
    events.gateway.push(await makeEvents('gateway', round));
    events.direct.push(await makeEvents('direct', round));
  }
  // Alternate which path goes first, so machine load drifts hit both alike.
  const total = { gateway: 0, direct: 0, plan: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const first = round % 2 ? 'direct' : 'gateway';
    for (const path of first === 'gateway' ? ['gateway', 'direct'] : ['direct', 'gateway']) {
      if (path === 'gateway') {
        const { planMs, applyMs } = await viaGateway(round);
        total.gateway += applyMs;
        total.plan += planMs;
      } else total.direct += await direct(events.direct[round]);
    }
  }
  const n = PER_ROUND * ROUNDS;
  const rate = (ms) => (n * 1000) / ms;
  const ratio = total.gateway / total.direct;
  console.log(`\n== switch to Visio: ${n} Teams events per path on a local SOGo, ${CONCURRENCY} at a time, ${ROUNDS} alternated rounds ==`);
  console.log(`  direct (GET + remove foreign + add room + PUT with tsdav): ${rate(total.direct).toFixed(1)} events/s`);
  console.log(`  gateway migration (apply until done):                     ${rate(total.gateway).toFixed(1)} events/s`);
  console.log(`  gateway plan (scan of the range):                         ${((n * 1000) / total.plan).toFixed(1)} events/s`);
  console.log(`  ratio gateway/direct time: ${ratio.toFixed(2)} (budget <= ${BUDGET}: ${ratio <= BUDGET ? 'ok' : 'OVER BUDGET'})`);
  // For the gateway benchmark's closing list of budgets (this part runs in its own process).
  if (process.env.BENCH_SWITCH_RESULT) writeFileSync(process.env.BENCH_SWITCH_RESULT, JSON.stringify({ ratio, budget: BUDGET }));
} finally {
  await gateway.stop();
  await sogo.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
