import { randomUUID } from 'node:crypto';
import { startSogo, type SogoServer } from '@visio/testing/sogo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarRouteSuite } from './calendar-suite.ts';
import { davGet, davPut, eventIcs, events, interceptingProxy, objectByUid } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

const ALICE_PASSWORD = `alice-${randomUUID()}`;
let sogo: SogoServer;
let gw: TestGateway;
let alice: string;

beforeAll(async () => {
  sogo = await startSogo({
    alice: { password: ALICE_PASSWORD, name: 'Alice Martin', email: 'alice@example.test' },
    bob: { password: 'bob-password', name: 'Bob Durand', email: 'bob@example.test' },
  });
  alice = sogo.calendarUrl('alice');
  gw = await startTestGateway({ CALDAV_SERVERS: sogo.url });
}, 60_000);
afterAll(async () => {
  await sogo?.stop();
});

const call = (method: string, path: string, body?: unknown) => gw.json(path, { method, headers: { 'x-caldav-authorization': sogo.basic('alice') }, ...(body === undefined ? {} : { body }) });

/** The attendee's own copy of an event, found by UID in their calendar (SOGo names it itself). */
async function bobsCopy(uid: string): Promise<ReturnType<typeof events>[number] | null> {
  const ics = await objectByUid(sogo.calendarUrl('bob'), sogo.basic('bob'), uid);
  return ics ? (events(ics)[0] ?? null) : null;
}

// The suite shared by every server, on this SOGo (started above, stopped below).
calendarRouteSuite('SOGo 5.8 (RFC 6638 scheduling)', async () => ({
  caldavServers: sogo.url,
  calendar: alice,
  authorization: sogo.basic('alice'),
  agentEmail: 'alice@example.test',
  schedules: true,
  stop: async () => undefined,
}));

describe('calendars on SOGo (server-side scheduling)', () => {
  it("creates a meeting whose invitation reaches the attendee's calendar with the link, and removal updates it", async () => {
    const { status, body } = await call('POST', '/v1/calendars/events', {
      calendar: alice,
      title: 'Revue de projet',
      start: '2026-12-10T14:00:00',
      end: '2026-12-10T15:00:00',
      timeZone: 'Europe/Paris',
      attendees: [{ email: 'bob@example.test', name: 'Bob Durand' }],
    });
    expect(status).toBe(201);
    // SOGo delivers (Bob's copy below) but sets no SCHEDULE-STATUS: the gateway cannot confirm it.
    expect(body.scheduling).toMatchObject({ mode: 'server', invitationsSent: false, action: 'unconfirmed', organizer: 'alice@example.test', attendees: [{ email: 'bob@example.test', status: null }] });
    expect(body.scheduling.ics).toMatch(/^METHOD:REQUEST\r$/m);
    const mine = events((await davGet(body.href, sogo.basic('alice'))).data)[0]!;
    expect(mine.room).toBe(body.room.code);

    const copy = await bobsCopy(body.uid);
    expect(copy, "bob's calendar should hold the invitation").not.toBeNull();
    expect(copy!.summary).toBe('Revue de projet');
    expect(copy!.location).toContain(body.room.url);
    expect(copy!.description).toContain(body.room.url);

    const removed = await call('DELETE', '/v1/calendars/events/visio', { calendar: alice, uid: body.uid });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ changed: true, roomReleased: true, scheduling: { mode: 'server', invitationsSent: false, action: 'unconfirmed' } });
    const updated = await bobsCopy(body.uid);
    expect(updated).not.toBeNull();
    expect(`${updated!.location} ${updated!.description} ${updated!.url}`).not.toContain(body.room.code);
    expect(updated!.room).toBe('');
  });

  it("adds a room to an existing meeting and the attendee's copy follows", async () => {
    const uid = randomUUID();
    const href = `${alice}${uid}.ics`;
    expect(await davPut(href, sogo.basic('alice'), eventIcs(uid, { summary: 'Atelier', organizer: 'alice@example.test', attendees: ['bob@example.test'] }))).toBeLessThan(300);
    expect((await bobsCopy(uid))!.location).toBe('');
    const added = await call('POST', '/v1/calendars/events/visio', { calendar: alice, href });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ changed: true, scheduling: { mode: 'server', invitationsSent: false, action: 'unconfirmed' } });
    expect((await bobsCopy(uid))!.location).toContain(added.body.room.url);
    const again = await call('POST', '/v1/calendars/events/visio', { calendar: alice, href });
    expect(again.body).toMatchObject({ changed: false, room: added.body.room });
  });

  it('SOGo gives no Schedule-Tag (and ignores If-Schedule-Tag-Match): writes stay on If-Match, and an edit made meanwhile is kept', async () => {
    const uid = randomUUID();
    const href = `${alice}${uid}.ics`;
    expect(await davPut(href, sogo.basic('alice'), eventIcs(uid, { summary: 'Point budget', organizer: 'alice@example.test', attendees: ['bob@example.test'] }))).toBeLessThan(300);
    expect((await fetch(href, { headers: { authorization: sogo.basic('alice') } })).headers.get('schedule-tag')).toBeNull();
    let edited = false;
    const proxy = await interceptingProxy(sogo.origin, async (req) => {
      if (req.method !== 'PUT' || edited) return;
      const current = await davGet(href, sogo.basic('alice'));
      edited = (await davPut(href, sogo.basic('alice'), current.data.replace(/^SUMMARY:.*$/m, 'SUMMARY:Point budget (modifié)'), current.etag!)) < 300;
    });
    const viaProxy = await startTestGateway({ CALDAV_SERVERS: `${proxy.origin}/SOGo/dav/` });
    try {
      const r = await viaProxy.json('/v1/calendars/events/visio', {
        method: 'POST',
        headers: { 'x-caldav-authorization': sogo.basic('alice') },
        body: { calendar: alice.replace(sogo.origin, proxy.origin), uid },
      });
      expect(r.status).toBe(200);
      const puts = proxy.seen.filter((q) => q.method === 'PUT');
      expect(puts.length).toBe(2);
      for (const put of puts) {
        expect(put.headers['if-match']).toMatch(/^"/);
        expect(put.headers['if-schedule-tag-match']).toBeUndefined();
      }
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
    expect(edited).toBe(true);
    expect(events((await davGet(href, sogo.basic('alice'))).data)[0]).toMatchObject({ summary: 'Point budget (modifié)', room: expect.stringMatching(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/) });
  });

  it("on an attendee's copy, tells the agent that only the organizer can send the update", async () => {
    const uid = randomUUID();
    const href = `${alice}${uid}.ics`;
    expect(await davPut(href, sogo.basic('alice'), eventIcs(uid, { summary: 'Séminaire', organizer: 'alice@example.test', attendees: ['bob@example.test'] }))).toBeLessThan(300);
    expect(await bobsCopy(uid)).not.toBeNull();
    const r = await gw.json('/v1/calendars/events/visio', { method: 'POST', headers: { 'x-caldav-authorization': sogo.basic('bob') }, body: { calendar: sogo.calendarUrl('bob'), uid } });
    expect(r.status).toBe(200);
    expect(r.body.scheduling).toMatchObject({ invitationsSent: false, action: 'ask-organizer', organizer: 'alice@example.test', recipients: [] });
    expect(r.body.scheduling.message).toContain('Demandez à alice@example.test');
    expect(events((await davGet(href, sogo.basic('alice'))).data)[0]!.room).toBe('');
  });
});
