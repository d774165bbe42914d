import fc from 'fast-check';
import { ProblemSchema } from '@visio/shared/contract';
import { describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.ts';

async function roomCount(gw: TestGateway): Promise<number> {
  return (await gw.json('/v1/rooms?limit=100')).body.items.length;
}

function expectProblem(answer: { status: number; body: unknown; headers: Headers }, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  const problem = ProblemSchema.parse(answer.body);
  expect(problem.status).toBe(status);
  return problem;
}

describe('bad input gets problem+json and writes nothing', () => {
  it.each([
    ['malformed JSON', { body: '{"title": ', headers: { 'content-type': 'application/json' } }, 400],
    ['a JSON array', { body: '[]', headers: { 'content-type': 'application/json' } }, 400],
    ['a wrong type', { body: JSON.stringify({ title: 42 }), headers: { 'content-type': 'application/json' } }, 400],
    ['an unknown field', { body: JSON.stringify({ title: 'x', owner: 'someone-else' }), headers: { 'content-type': 'application/json' } }, 400],
    ['an unknown access level', { body: JSON.stringify({ accessLevel: 'everyone' }), headers: { 'content-type': 'application/json' } }, 400],
    ['a title with a line break', { body: JSON.stringify({ title: 'a\r\nX-INJECT:1' }), headers: { 'content-type': 'application/json' } }, 400],
    ['a title of 10,000 characters', { body: JSON.stringify({ title: 'x'.repeat(10_000) }), headers: { 'content-type': 'application/json' } }, 400],
    ['a non-JSON content type', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
    ['an oversized body', { body: JSON.stringify({ title: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } }, 413],
    ['a bad idempotency key', { body: '{}', headers: { 'content-type': 'application/json', 'idempotency-key': 'has spaces in it' } }, 400],
  ])('POST /v1/rooms with %s', async (_name, init, status) => {
    const gw = await startTestGateway();
    const answer = await gw.json('/v1/rooms', { method: 'POST', ...init });
    const problem = expectProblem(answer, status);
    expect(problem.requestId).toBeTruthy();
    expect(await roomCount(gw)).toBe(0);
  });

  it('lists each invalid field', async () => {
    const gw = await startTestGateway();
    const answer = await gw.json('/v1/rooms', { method: 'POST', body: { title: 1, accessLevel: 'x', extra: true } });
    const problem = expectProblem(answer, 400);
    const paths = problem.errors!.map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['title', 'accessLevel']));
    expect(problem.errors!.some((e) => e.message.includes('extra'))).toBe(true);
  });

  it.each(['abc', 'abc-defg-hi1', 'abcdefghijk', '..%2F..%2Fetc', 'ABC-DEFG-HI'])('GET /v1/rooms/%s is a 400', async (code) => {
    const gw = await startTestGateway();
    expectProblem(await gw.json(`/v1/rooms/${code}`), 400);
  });

  it.each([['limit=0'], ['limit=1000'], ['limit=abc'], ['cursor=not!base64'], ['cursor=bm90IGpzb24']])('GET /v1/rooms?%s is a 400', async (query) => {
    const gw = await startTestGateway();
    expectProblem(await gw.json(`/v1/rooms?${query}`), 400);
  });

  const ICS_BASE = { title: 'Réunion', start: '2026-12-01T10:00:00', end: '2026-12-01T11:00:00', timeZone: 'Europe/Paris' };
  it.each([
    ['end before start', { ...ICS_BASE, end: '2026-12-01T09:00:00' }],
    ['end equal to start', { ...ICS_BASE, end: ICS_BASE.start }],
    ['an impossible date', { ...ICS_BASE, start: '2026-02-30T10:00:00' }],
    ['an unknown time zone', { ...ICS_BASE, timeZone: 'Europe/Atlantis' }],
    ['a bad RRULE', { ...ICS_BASE, rrule: 'FREQ=SOMETIMES' }],
    ['an RRULE with a line break', { ...ICS_BASE, rrule: 'FREQ=DAILY\r\nX-EVIL:1' }],
    ['a bad attendee e-mail', { ...ICS_BASE, attendees: [{ email: 'not-an-email' }] }],
    ['a missing title', { ...ICS_BASE, title: undefined }],
    ['a room that does not exist', { ...ICS_BASE, room: 'zzz-zzzz-zzz' }],
  ])('POST /v1/ics with %s is refused and creates no room', async (_name, body) => {
    const gw = await startTestGateway();
    const answer = await gw.json('/v1/ics', { method: 'POST', body });
    expect([400, 404]).toContain(answer.status);
    expectProblem(answer, answer.status);
    expect(await roomCount(gw)).toBe(0);
  });

  it('unknown routes are problem+json 404', async () => {
    const gw = await startTestGateway();
    expectProblem(await gw.json('/v1/nothing'), 404);
    expectProblem(await gw.json('/v1/rooms', { method: 'PUT', body: {} }), 404);
  });

  it('never answers 500 to arbitrary bodies (property-based)', async () => {
    const gw = await startTestGateway();
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom('title', 'accessLevel', 'eventUid', 'start', 'end', 'timeZone', 'rrule', 'room', 'attendees', 'x'), value),
      fc.string().map((s) => s),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/rooms', '/v1/ics'), body, async (path, b) => {
        const answer = await gw.json(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: typeof b === 'string' ? b : JSON.stringify(b),
        });
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 150 },
    );
  });
});
