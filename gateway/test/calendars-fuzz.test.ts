/**
 * Fuzzing every calendar route (fast-check, 1,000 cases each) against the hostile CalDAV server, which
 * answers each case normally or with a server error, an HTML page, malformed XML, a gzip bomb, a huge
 * body, a trickling or silent body, or a redirect out of the allowed path. Whatever comes in or back,
 * the gateway answers with its result or a problem+json, never 500. Cases run a few at a time (the
 * misbehaviour travels in each case's own URL or user name), from a fixed seed printed on failure.
 */
import fc from 'fast-check';
import { ProblemSchema } from '@visio/shared/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIcs } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';
import { startHostileCaldav, type HostileCaldav } from './hostile-caldav.ts';

const RUNS = 1000;
const CONCURRENCY = 16;
const SEED = 20261201;

let dav: HostileCaldav;
let gw: TestGateway;

beforeAll(async () => {
  dav = await startHostileCaldav();
  dav.outside = 'http://169.254.169.254';
  const objects: [string, Parameters<typeof eventIcs>[1]][] = [
    ['a.ics', { location: 'https://visio.numerique.gouv.fr/abc-defg-hij' }],
    ['b.ics', { rrule: 'FREQ=SECONDLY', start: new Date(Date.now() - 86_400_000), location: 'https://visio.numerique.gouv.fr/abc-defg-hij' }],
    ['c.ics', { rrule: 'FREQ=WEEKLY;BYDAY=MO,TU', attendees: ['bob@example.test'], organizer: 'alice@example.test' }],
  ];
  for (const [name, extra] of objects) dav.objects.set(name, { data: eventIcs(name, extra), etag: `"${name}"` });
  dav.objects.set('bad.ics', { data: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n', etag: '"bad"' });
  gw = await startTestGateway({ CALDAV_SERVERS: dav.url, CALDAV_TIMEOUT_MS: '250', CALDAV_EXPANSION_MS: '300', CALDAV_CONNECTIONS: '16' });
});
afterAll(async () => {
  await dav?.close();
});

// Mostly normal answers, so that cases reach the later steps; the costly misbehaviours (bombs, huge or
// slow bodies) less often, to keep the run short.
const mode = fc.oneof(
  { weight: 8, arbitrary: fc.constant('normal') },
  { weight: 4, arbitrary: fc.constantFrom('status500', 'html', 'malformed', 'redirectOutside', 'redirectDotdot') },
  { weight: 1, arbitrary: fc.constantFrom('gzipBomb', 'huge', 'slowBody', 'hang') },
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '\r\nX-INJECT:1', '../../etc/passwd', '%2e%2e/%2f', '\u0000', 'é'.repeat(300)));

const calendar = () =>
  fc.oneof(
    { weight: 6, arbitrary: mode.map((m) => `${dav.url}alice/m-${m}/`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `${dav.url}alice/work/`,
        `${dav.url}alice/work/../../../../etc/`,
        `${dav.url}alice/work/%2e%2e/%2e%2e/`,
        'http://169.254.169.254/latest/',
        'file:///etc/passwd',
        'not a url',
      ),
    },
    { weight: 1, arbitrary: text },
  );
const href = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(mode, fc.constantFrom('a.ics', 'b.ics', 'c.ics', 'bad.ics', 'gone.ics', '..%2f..%2fx.ics')).map(([m, n]) => `${dav.url}alice/m-${m}/${n}`) },
    { weight: 1, arbitrary: text },
  );
const authorization = fc.oneof(
  { weight: 4, arbitrary: mode.map((m) => `Basic ${Buffer.from(`m-${m}:pw`).toString('base64')}`) },
  { weight: 1, arbitrary: fc.constantFrom('basic YWxpY2U6cHc=', 'BEARER abc', 'Bearer', 'Digest x', '', 'Basic !!!', `Basic ${'A'.repeat(9000)}`) },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const ref = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ calendar: calendar(), href: href(), lang: maybe(fc.constantFrom('fr', 'en')) }) },
    { weight: 2, arbitrary: fc.record({ calendar: calendar(), uid: fc.oneof(fc.constantFrom('a.ics', 'c.ics', 'missing'), text) }) },
    { weight: 1, arbitrary: fc.record({ calendar: calendar(), href: maybe(href()), uid: maybe(text), lang: maybe(fc.constantFrom('fr', 'en', 'de')) }, { requiredKeys: [] }) },
  );
const newEvent = () =>
  fc.record(
    {
      calendar: calendar(),
      title: fc.oneof({ weight: 4, arbitrary: fc.constant('Réunion') }, { weight: 1, arbitrary: text }),
      start: fc.oneof({ weight: 6, arbitrary: fc.constant('2026-12-01T10:00:00') }, { weight: 1, arbitrary: fc.constantFrom('2026-02-30T10:00:00', 'tomorrow') }, { weight: 1, arbitrary: text }),
      end: fc.oneof({ weight: 6, arbitrary: fc.constant('2026-12-01T11:00:00') }, { weight: 1, arbitrary: fc.constantFrom('2026-12-01T09:00:00') }, { weight: 1, arbitrary: text }),
      timeZone: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('Europe/Paris', 'UTC', 'Indian/Reunion') }, { weight: 1, arbitrary: fc.constantFrom('Mars/Olympus', '') }),
      rrule: maybe(fc.constantFrom('FREQ=WEEKLY;COUNT=3', 'FREQ=SECONDLY', 'garbage')),
      attendees: maybe(
        fc.array(fc.record({ email: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('bob@example.test', 'carol@example.gouv.fr') }, { weight: 1, arbitrary: text }) }), { maxLength: 2 }),
      ),
    },
    { requiredKeys: ['calendar', 'title', 'start', 'end', 'timeZone'] },
  );

type Case = { method: string; path: string; authorization: string; body?: unknown };
// Built once the server runs: the arbitraries hold its URL.
const routes = (): Record<string, fc.Arbitrary<Case>> => ({
  'GET /v1/calendars': authorization.map((a) => ({ method: 'GET', path: '/v1/calendars', authorization: a })),
  'GET /v1/meetings/upcoming': fc
    .tuple(
      authorization,
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('', '?hours=1', '?hours=168') },
        { weight: 1, arbitrary: fc.constantFrom('?hours=0', '?hours=abc', '?x=1') },
        { weight: 1, arbitrary: text.map((t) => `?hours=${encodeURIComponent(t)}`) },
      ),
    )
    .map(([a, q]) => ({ method: 'GET', path: `/v1/meetings/upcoming${q}`, authorization: a })),
  'POST /v1/calendars/events': fc
    .tuple(authorization, fc.oneof({ weight: 5, arbitrary: newEvent() }, { weight: 1, arbitrary: fc.anything() }))
    .map(([a, b]) => ({ method: 'POST', path: '/v1/calendars/events', authorization: a, body: b })),
  'POST /v1/calendars/events/visio': fc
    .tuple(authorization, fc.oneof({ weight: 5, arbitrary: ref() }, { weight: 1, arbitrary: fc.anything() }))
    .map(([a, b]) => ({ method: 'POST', path: '/v1/calendars/events/visio', authorization: a, body: b })),
  'DELETE /v1/calendars/events/visio': fc.tuple(authorization, ref()).map(([a, b]) => ({ method: 'DELETE', path: '/v1/calendars/events/visio', authorization: a, body: b })),
});
const ROUTE_NAMES = ['GET /v1/calendars', 'GET /v1/meetings/upcoming', 'POST /v1/calendars/events', 'POST /v1/calendars/events/visio', 'DELETE /v1/calendars/events/visio'];

async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

describe('fuzzing the calendar routes against a hostile CalDAV server', () => {
  it.each(ROUTE_NAMES)(
    '%s: 1,000 cases, never a 500',
    async (route) => {
      const cases = fc.sample(routes()[route]!, { numRuns: RUNS, seed: SEED });
      const statuses = new Map<number, number>();
      await pool(cases, CONCURRENCY, async (c) => {
        const answer = await gw.json(c.path, {
          method: c.method,
          headers: { 'x-caldav-authorization': c.authorization, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) ?? 'null' }),
        });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const where = `${route} seed ${SEED}: ${JSON.stringify(c).slice(0, 500)} answered ${JSON.stringify(answer.body).slice(0, 300)}`;
        expect(answer.status, where).not.toBe(500);
        expect(answer.status, where).toBeLessThan(600);
        if (answer.status >= 400) {
          expect(answer.headers.get('content-type'), where).toBe('application/problem+json');
          expect(ProblemSchema.safeParse(answer.body).success, where).toBe(true);
          expect(answer.body.type, where).not.toBe('urn:visio:problem:internal');
        }
      });
      console.log(`${route}: ${RUNS} cases, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    },
    180_000,
  );
});
