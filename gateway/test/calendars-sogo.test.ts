import { randomUUID } from 'node:crypto';
import { startSogo, type SogoServer } from '@visio/testing/sogo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davGet, davPut, eventIcs, events, objectByUid } from './caldav-helpers.ts';
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

const call = (method: string, path: string, body?: unknown) =>
  gw.json(path, { method, headers: { 'x-caldav-authorization': sogo.basic('alice') }, ...(body === undefined ? {} : { body }) });

/** The attendee's own copy of an event, found by UID in their calendar (SOGo names it itself). */
async function bobsCopy(uid: string): Promise<ReturnType<typeof events>[number] | null> {
  const ics = await objectByUid(sogo.calendarUrl('bob'), sogo.basic('bob'), uid);
  return ics ? (events(ics)[0] ?? null) : null;
}

describe('calendars on SOGo (server-side scheduling)', () => {
  it('lists the calendars found through discovery', async () => {
    const { status, body } = await call('GET', '/v1/calendars');
    expect(status).toBe(200);
    expect(body.calendars).toContainEqual(expect.objectContaining({ url: alice, acceptsEvents: true }));
  });

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
    // The organizer's write was the invitation: nothing for the client to send.
    expect(body.scheduling).toEqual({ mode: 'server', invitationsSent: true });
    const mine = events((await davGet(body.href, sogo.basic('alice'))).data)[0]!;
    expect(mine.room).toBe(body.room.code);

    const copy = await bobsCopy(body.uid);
    expect(copy, "bob's calendar should hold the invitation").not.toBeNull();
    expect(copy!.summary).toBe('Revue de projet');
    expect(copy!.location).toContain(body.room.url);
    expect(copy!.description).toContain(body.room.url);

    const removed = await call('DELETE', '/v1/calendars/events/visio', { calendar: alice, uid: body.uid });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ changed: true, roomReleased: true, scheduling: { mode: 'server', invitationsSent: true } });
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
    expect(added.body).toMatchObject({ changed: true, scheduling: { mode: 'server', invitationsSent: true } });
    expect((await bobsCopy(uid))!.location).toContain(added.body.room.url);
    const again = await call('POST', '/v1/calendars/events/visio', { calendar: alice, href });
    expect(again.body).toMatchObject({ changed: false, room: added.body.room });
  });

  it('lists the meeting among the upcoming ones', async () => {
    const uid = randomUUID();
    const href = `${alice}${uid}.ics`;
    expect(await davPut(href, sogo.basic('alice'), eventIcs(uid, { summary: 'Bientôt', start: new Date(Date.now() + 30 * 60_000) }))).toBeLessThan(300);
    await call('POST', '/v1/calendars/events/visio', { calendar: alice, href });
    const { status, body } = await call('GET', '/v1/meetings/upcoming?hours=2');
    expect(status).toBe(200);
    expect(body.items).toContainEqual(expect.objectContaining({ uid, title: 'Bientôt', calendar: expect.objectContaining({ url: alice }) }));
  });

  it('never logs the CalDAV credentials', () => {
    const all = gw.logs.join('\n');
    expect(all).not.toContain(ALICE_PASSWORD);
    expect(all).not.toContain(sogo.basic('alice').slice(6));
  });
});
