import { randomUUID } from 'node:crypto';
import { startCyrus, type CyrusServer } from '@visio/testing/cyrus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarRouteSuite } from './calendar-suite.ts';
import { davGet, davPut, eventIcs, events, interceptingProxy } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

calendarRouteSuite('Cyrus IMAP 3.6 (RFC 6638 scheduling)', async () => {
  const cyrus = await startCyrus({ alice: `a-${randomUUID()}`, bob: `b-${randomUUID()}` });
  return { caldavServers: cyrus.url, calendar: cyrus.calendarUrl('alice'), authorization: cyrus.basic('alice'), agentEmail: `alice@${cyrus.domain}`, schedules: true, stop: () => cyrus.stop() };
});

describe('honest scheduling on Cyrus', () => {
  let cyrus: CyrusServer;
  let gw: TestGateway;
  beforeAll(async () => {
    cyrus = await startCyrus({ alice: `a-${randomUUID()}`, bob: `b-${randomUUID()}` });
    gw = await startTestGateway({ CALDAV_SERVERS: cyrus.url, CALDAV_TIMEOUT_MS: '15000', VISIO_LOCAL_USER_EMAIL: 'alice@example.test' });
  }, 120_000);
  afterAll(async () => {
    await cyrus?.stop();
  });
  const call = (method: string, path: string, body: unknown, user = 'alice') => gw.json(path, { method, headers: { 'x-caldav-authorization': cyrus.basic(user) }, body });
  const create = (attendees: string[]) =>
    call('POST', '/v1/calendars/events', {
      calendar: cyrus.calendarUrl('alice'),
      title: 'Comité',
      start: '2026-12-17T10:00:00',
      end: '2026-12-17T11:00:00',
      timeZone: 'Europe/Paris',
      attendees: attendees.map((email) => ({ email })),
    });
  const bobsCopy = async (uid: string) => {
    const r = await fetch(cyrus.calendarUrl('bob'), {
      method: 'REPORT',
      headers: { authorization: cyrus.basic('bob'), depth: '1', 'content-type': 'application/xml; charset=utf-8' },
      body: `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">${uid}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
    });
    const data = /<C:calendar-data[^>]*>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/C:calendar-data>/i.exec(await r.text())?.[1];
    return data ? events(data.replace(/&#13;/g, '\r').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'))[0]! : null;
  };

  it('invitationsSent only once Cyrus confirmed every attendee: a colleague delivered (1.2), an outside address mailed (1.1)', async () => {
    const before = cyrus.mail().length;
    const { status, body } = await create(['bob@example.test', 'dana@elsewhere.test']);
    expect(status).toBe(201);
    expect(body.scheduling).toMatchObject({ mode: 'server', invitationsSent: true, action: 'none', organizer: 'alice@example.test', recipients: [] });
    expect(body.scheduling.attendees).toEqual([
      { email: 'bob@example.test', status: expect.stringMatching(/^1\.2/) },
      { email: 'dana@elsewhere.test', status: expect.stringMatching(/^1\./) },
    ]);
    expect((await bobsCopy(body.uid))!.location).toContain(body.room.url);
    const mailed = cyrus.mail().slice(before);
    expect(mailed.map((m) => m.to)).toContainEqual(['dana@elsewhere.test']);
    expect(mailed.find((m) => m.to.includes('dana@elsewhere.test'))!.data).toContain(body.room.code);
  });

  it('says which attendee to send the file to when Cyrus could not invite them (5.x)', async () => {
    cyrus.refuseMail(true);
    try {
      const { body } = await create(['bob@example.test', 'erin@elsewhere.test']);
      expect(body.scheduling).toMatchObject({ mode: 'server', invitationsSent: false, action: 'send-invitation', recipients: ['erin@elsewhere.test'] });
      expect(body.scheduling.attendees.find((a: any) => a.email === 'erin@elsewhere.test').status).toMatch(/^[35]\./);
      expect(body.scheduling.message).toContain('erin@elsewhere.test');
      expect(body.scheduling.ics).toMatch(/^METHOD:REQUEST\r$/m);
      expect(body.scheduling.ics).toContain(body.room.url);
    } finally {
      cyrus.refuseMail(false);
    }
  });

  it('writes with If-Schedule-Tag-Match, and a reply Cyrus merges between the read and the write is kept', async () => {
    const uid = randomUUID();
    const href = `${cyrus.calendarUrl('alice')}${uid}.ics`;
    expect(await davPut(href, cyrus.basic('alice'), eventIcs(uid, { summary: 'Comité restreint', organizer: 'alice@example.test', attendees: ['bob@example.test'] }))).toBeLessThan(300);
    const tag = (await fetch(href, { headers: { authorization: cyrus.basic('alice') } })).headers.get('schedule-tag');
    expect(tag).toMatch(/^".+"$/);
    // Just before the gateway's write reaches Cyrus, Bob accepts; Cyrus merges his reply into Alice's copy.
    let replied = false;
    const proxy = await interceptingProxy(cyrus.origin, async (req) => {
      if (req.method !== 'PUT' || replied) return;
      replied = true;
      const copy = (await fetch(cyrus.calendarUrl('bob'), { method: 'PROPFIND', headers: { authorization: cyrus.basic('bob'), depth: '1' } }).then((r) => r.text()))
        .match(/<D:href>([^<]+\.ics)<\/D:href>/g)!
        .map((m) => m.slice(8, -9));
      for (const path of copy) {
        const mine = await davGet(`${cyrus.origin}${path}`, cyrus.basic('bob'));
        if (!mine.data.includes(uid)) continue;
        const accepted = mine.data.replace(/PARTSTAT=NEEDS-ACTION([^\r\n]*(?:\r\n [^\r\n]*)*bob@example\.test)/, 'PARTSTAT=ACCEPTED$1');
        expect(await davPut(`${cyrus.origin}${path}`, cyrus.basic('bob'), accepted, mine.etag!)).toBeLessThan(300);
      }
      expect((await davGet(href, cyrus.basic('alice'))).data).toMatch(/PARTSTAT=ACCEPTED/);
    });
    const viaProxy = await startTestGateway({ CALDAV_SERVERS: `${proxy.origin}/dav/`, VISIO_LOCAL_USER_EMAIL: 'alice@example.test' });
    try {
      const calendar = cyrus.calendarUrl('alice').replace(cyrus.origin, proxy.origin);
      const r = await viaProxy.json('/v1/calendars/events/visio', { method: 'POST', headers: { 'x-caldav-authorization': cyrus.basic('alice') }, body: { calendar, uid } });
      expect(r.status).toBe(200);
      expect(r.body.changed).toBe(true);
      const puts = proxy.seen.filter((q) => q.method === 'PUT');
      // Every write is conditional on the Schedule-Tag, none on the ETag. Cyrus 3.6 changes the organizer's
      // Schedule-Tag when it merges a reply, so the first write meets 412; it is read again and re-applied.
      expect(puts.length).toBeGreaterThanOrEqual(1);
      expect(puts[0]!.headers['if-schedule-tag-match']).toBe(tag);
      for (const put of puts) {
        expect(put.headers['if-schedule-tag-match']).toMatch(/^".+"$/);
        expect(put.headers['if-match']).toBeUndefined();
      }
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
    const after = (await davGet(href, cyrus.basic('alice'))).data;
    expect(events(after)[0]!.room).not.toBe('');
    expect(after.replace(/\r\n /g, '')).toMatch(/PARTSTAT=ACCEPTED[^\r\n]*bob@example\.test/);
  });

  it("on an attendee's copy, tells the agent that only the organizer can send the update", async () => {
    // Alice invites Bob; Bob adds Visio to his own copy.
    const uid = randomUUID();
    const href = `${cyrus.calendarUrl('alice')}${uid}.ics`;
    expect(await davPut(href, cyrus.basic('alice'), eventIcs(uid, { summary: 'Atelier', organizer: 'alice@example.test', attendees: ['bob@example.test'] }))).toBeLessThan(300);
    expect(await bobsCopy(uid)).not.toBeNull();
    const asBob = await startTestGateway({ CALDAV_SERVERS: cyrus.url, VISIO_LOCAL_USER_EMAIL: 'bob@example.test' });
    try {
      const r = await asBob.json('/v1/calendars/events/visio', {
        method: 'POST',
        headers: { 'x-caldav-authorization': cyrus.basic('bob') },
        body: { calendar: cyrus.calendarUrl('bob'), uid, lang: 'en' },
      });
      expect(r.status).toBe(200);
      expect(r.body.scheduling).toMatchObject({ invitationsSent: false, action: 'ask-organizer', organizer: 'alice@example.test', recipients: [] });
      expect(r.body.scheduling.message).toContain('Ask alice@example.test');
      expect(r.body.scheduling.ics).toBeUndefined();
    } finally {
      await asBob.close();
    }
    // The organizer's copy has no room: nothing reached her.
    expect(events((await davGet(href, cyrus.basic('alice'))).data)[0]!.room).toBe('');
  });
});
