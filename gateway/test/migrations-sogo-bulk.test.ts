/**
 * Bulk switch to Visio on a real SOGo: 500 objects (single events, series, series with a moved
 * occurrence, events organised by someone else, events without a foreign meeting). The gateway runs as
 * its own process and is killed (SIGKILL) in the middle of the run, then restarted on the same data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { startSogo, type SogoServer } from '@visio/testing/sogo';
import { Agent, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davGet, davPut, events, lines } from './caldav-helpers.ts';
import { corpusBody, icsText } from './switch-fixtures.ts';

const ME = 'alice@example.test';
let sogo: SogoServer;
let alice: string;
let dataDir: string;
const processes: GatewayProcess[] = [];

// SOGo closes kept-alive connections at will: this test's own requests use one connection each.
setGlobalDispatcher(new Agent({ pipelining: 0 }));

beforeAll(async () => {
  sogo = await startSogo(
    {
      alice: { password: 'alice-bulk-password', name: 'Alice Martin', email: ME },
      bob: { password: 'bob-password', name: 'Bob Durand', email: 'bob@example.test' },
    },
    { workers: 8 },
  );
  alice = sogo.calendarUrl('alice');
  dataDir = mkdtempSync(join(tmpdir(), 'visio-bulk-'));
}, 120_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await sogo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Kind = 'teams' | 'zoom-series' | 'zoom-moved' | 'webex' | 'google' | 'theirs' | 'plain' | 'visio';
const KINDS: [Kind, number][] = [
  ['teams', 150],
  ['zoom-series', 50],
  ['zoom-moved', 20],
  ['webex', 40],
  ['google', 40],
  ['theirs', 100],
  ['plain', 80],
  ['visio', 20],
];
const BODIES: Record<string, string> = {
  teams: corpusBody('teams/text-fr-exchange.txt'),
  zoom: corpusBody('zoom/text-en-full.txt'),
  webex: corpusBody('webex/text-en-sections.txt'),
  google: corpusBody('google-meet/text-en-caldav.txt'),
};

function objectFor(kind: Kind, n: number): { uid: string; ics: string } {
  const uid = `bulk-${kind}-${n}`;
  const day = new Date(Date.UTC(2027, 0, 4 + (n % 60), 8 + (n % 9)));
  const stamp = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  const end = new Date(day.getTime() + 3_600_000);
  const body =
    kind === 'plain'
      ? 'On en parle sur Zoom ou Teams ? Ordre du jour en pièce jointe.'
      : kind === 'visio'
        ? 'Rejoindre : https://visio.numerique.gouv.fr/abc-defg-hij'
        : BODIES[kind.startsWith('zoom') ? 'zoom' : kind === 'theirs' ? 'teams' : kind]!;
  const organizer = kind === 'theirs' ? ['ORGANIZER;CN=Bob Durand:mailto:bob@example.test', `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${ME}`] : [`ORGANIZER;CN=Alice Martin:mailto:${ME}`];
  const event = (extra: string[], start: Date, finish: Date) => [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261201T080000Z',
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(finish)}`,
    `SUMMARY:Réunion ${kind} ${n}`,
    ...organizer,
    `DESCRIPTION:${icsText(body)}`,
    ...(kind === 'teams' || kind === 'theirs' ? ['LOCATION:Réunion Microsoft Teams'] : []),
    ...extra,
    'END:VEVENT',
  ];
  const series = kind === 'zoom-series' || kind === 'zoom-moved' ? ['RRULE:FREQ=WEEKLY;COUNT=12'] : [];
  const moved =
    kind === 'zoom-moved'
      ? event([`RECURRENCE-ID:${stamp(new Date(day.getTime() + 7 * 86_400_000))}`], new Date(day.getTime() + 7 * 86_400_000 + 7_200_000), new Date(day.getTime() + 7 * 86_400_000 + 10_800_000))
      : [];
  return { uid, ics: lines('BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//third party//bulk//EN', ...event(series, day, end), ...moved, 'END:VCALENDAR') };
}

const all = KINDS.flatMap(([kind, count]) => Array.from({ length: count }, (_, n) => ({ kind, ...objectFor(kind, n) })));
// Events organised by Bob reach Alice through SOGo's scheduling, under a name SOGo chooses.
const hrefs = new Map<string, string>();
const hrefOf = (uid: string) => hrefs.get(uid) ?? `${alice}${uid}.ics`;

/** uid → href of every object in Alice's calendar (one REPORT). */
async function listAlice(): Promise<Map<string, string>> {
  const r = await fetch(alice, {
    method: 'REPORT',
    headers: { authorization: sogo.basic('alice'), depth: '1', 'content-type': 'application/xml; charset=utf-8' },
    body: '<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>',
  });
  const xml = await r.text();
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<D:href>([^<]+)<\/D:href>[\s\S]*?UID:([^\r\n&]+)/gi)) out.set(m[2]!.trim(), new URL(m[1]!, alice).href);
  return out;
}
const converts = (kind: Kind) => !['theirs', 'plain', 'visio'].includes(kind);

/** Runs fn over items, `size` at a time; a request on a keep-alive socket SOGo just closed is sent again. */
async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  const queue = [...items];
  const again = async (item: T) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(item);
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (attempt === 3 || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
      }
    }
  };
  await Promise.all(
    Array.from({ length: size }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await again(item);
    }),
  );
}

async function startGateway() {
  const p = await startGatewayProcess(
    // The event being switched when the gateway is killed keeps its room claimed until the claim is stale: 16 s here (60 s by default).
    { CALDAV_SERVERS: sogo.url, VISIO_LOCAL_USER_EMAIL: ME, VISIO_DATA_DIR: dataDir, VISIO_IDEMPOTENCY_STALE_MS: '16000' },
    30_000,
  );
  processes.push(p);
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${p.url}${path}`, {
      method,
      headers: { 'x-caldav-authorization': sogo.basic('alice'), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  return { p, call };
}

async function snapshot(): Promise<Map<string, { etag: string | null; data: string }>> {
  const out = new Map<string, { etag: string | null; data: string }>();
  await pool(all, 3, async (o) => {
    const r = await davGet(hrefOf(o.uid), sogo.basic('alice'));
    out.set(o.uid, { etag: r.etag, data: r.data });
  });
  return out;
}

describe('switch 500 events to Visio on SOGo, with a crash in the middle', () => {
  it('converts the right ones once, leaves the others untouched, and a second run changes nothing', async () => {
    expect(all).toHaveLength(500);
    await pool(all, 3, async (o) => {
      const [who, url] = o.kind === 'theirs' ? ['bob', `${sogo.calendarUrl('bob')}${o.uid}.ics`] : ['alice', hrefOf(o.uid)];
      expect(await davPut(url, sogo.basic(who), o.ics), o.uid).toBeLessThan(300);
    });
    for (const [uid, href] of await listAlice()) if (uid.startsWith('bulk-theirs-')) hrefs.set(uid, href);
    expect([...hrefs.keys()].filter((u) => u.startsWith('bulk-theirs-'))).toHaveLength(100);
    const initial = await snapshot();

    let gw = await startGateway();
    const planned = await gw.call('POST', '/v1/calendars/migrations', { from: '2027-01-01T00:00:00Z', to: '2027-12-31T00:00:00Z' });
    expect(planned.status).toBe(201);
    const plan = planned.body;
    const expectedConvert = all.filter((o) => converts(o.kind)).length;
    expect(plan.toConvert).toBe(expectedConvert);
    expect(plan.total).toBe(expectedConvert + 100);
    expect(plan.items.filter((i: any) => i.action === 'askOrganizer')).toHaveLength(100);
    expect(new Set(plan.items.map((i: any) => i.uid))).toEqual(new Set(all.filter((o) => o.kind !== 'plain' && o.kind !== 'visio').map((o) => o.uid)));
    expect(plan.counts).toMatchObject({ teams: { found: 250, askOrganizer: 100 }, zoom: { found: 70 }, webex: { found: 40 }, 'google-meet': { found: 40 } });
    expect(plan.items.find((i: any) => i.uid === 'bulk-zoom-moved-0')).toMatchObject({ recurring: true, next: '2027-01-04T08:00:00.000Z' });

    expect((await gw.call('POST', `/v1/calendars/migrations/${plan.id}/apply`, {})).status).toBe(202);
    // Kill the gateway once part of the work is done.
    for (;;) {
      const { body } = await gw.call('GET', `/v1/calendars/migrations/${plan.id}`);
      if (body.processed >= 40) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await gw.p.kill('SIGKILL');

    gw = await startGateway();
    const interrupted = (await gw.call('GET', `/v1/calendars/migrations/${plan.id}`)).body;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.processed).toBeLessThan(expectedConvert);
    expect((await gw.call('POST', `/v1/calendars/migrations/${plan.id}/apply`, {})).status).toBe(202);
    let done;
    for (;;) {
      done = (await gw.call('GET', `/v1/calendars/migrations/${plan.id}`)).body;
      if (done.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(done.status).toBe('done');
    expect(done.items.filter((i: any) => i.result === 'failed')).toEqual([]);
    expect(done.processed).toBe(expectedConvert);
    expect(done.counts).toMatchObject({ teams: { converted: 150, askOrganizer: 100 }, zoom: { converted: 70 }, webex: { converted: 40 }, 'google-meet': { converted: 40 } });

    // On the server: converted events carry one room each, in every VEVENT, and no foreign meeting; the others are byte for byte as they were.
    const after = await snapshot();
    const roomOf = new Map<string, string>();
    for (const o of all) {
      const now = after.get(o.uid)!;
      if (!converts(o.kind)) {
        expect(now.data, o.uid).toBe(initial.get(o.uid)!.data);
        continue;
      }
      expect(now.data, o.uid).not.toMatch(/teams\.microsoft\.com|zoom\.us|webex\.com|meet\.google\.com/i);
      const vevents = events(now.data);
      expect(vevents.length, o.uid).toBe(o.kind === 'zoom-moved' ? 2 : 1);
      const codes = new Set(vevents.map((e) => e.room));
      expect(codes.size, o.uid).toBe(1);
      const code = [...codes][0]!;
      expect(code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
      expect(done.items.find((i: any) => i.uid === o.uid).room).toBe(code);
      roomOf.set(o.uid, code);
      expect(Number(/SEQUENCE:(\d+)/.exec(now.data)?.[1] ?? 0), o.uid).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(roomOf.values()).size).toBe(expectedConvert);

    // The gateway holds exactly one room per converted event: none duplicated by the crash.
    const rooms: any[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page: any = (await gw.call('GET', `/v1/rooms?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
      rooms.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(rooms).toHaveLength(expectedConvert);
    expect(new Set(rooms.map((r) => r.code))).toEqual(new Set(roomOf.values()));

    // A second run finds only the events organised by someone else, and changes nothing.
    const secondPlan = await gw.call('POST', '/v1/calendars/migrations', { from: '2027-01-01T00:00:00Z', to: '2027-12-31T00:00:00Z' });
    expect(secondPlan.status, JSON.stringify(secondPlan.body)).toBe(201);
    const second = secondPlan.body;
    expect(second.toConvert).toBe(0);
    expect(second.total).toBe(100);
    await gw.call('POST', `/v1/calendars/migrations/${second.id}/apply`, {});
    for (;;) {
      const { body } = await gw.call('GET', `/v1/calendars/migrations/${second.id}`);
      if (body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const last = await snapshot();
    for (const o of all) expect(last.get(o.uid)!.etag, o.uid).toBe(after.get(o.uid)!.etag);
  }, 900_000);
});
