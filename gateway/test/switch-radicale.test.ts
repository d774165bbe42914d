import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { davGet, eventIcs, events, lines } from './caldav-helpers.ts';
import { radicaleRig } from './radicale-rig.ts';
import { corpusBody, icsText, outlookTeamsSeries, teamsProperties, zoomProperties } from './switch-fixtures.ts';

const rig = radicaleRig('alice@example.test');
const { put } = rig;

const call = (body: unknown) => rig.gw.json('/v1/calendars/events/switch', { method: 'POST', headers: { 'x-caldav-authorization': rig.auth }, body });

describe('switch to Visio on Radicale (no server-side scheduling)', () => {
  it('takes the Teams meeting out, adds one Visio room, keeps the agent text and says what to do', async () => {
    const uid = randomUUID();
    const teams = teamsProperties();
    const href = await put(eventIcs(uid, { summary: 'Point hebdo', ...teams, organizer: 'alice@example.test', attendees: ['bob@example.test'] }));

    const { status, body } = await call({ calendar: rig.work, href, lang: 'en' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ changed: true, providers: ['teams'], scheduling: { mode: 'client', invitationsSent: false, action: 'send-invitation' } });
    expect(body.notices).toEqual([
      'This calendar server does not send invitations: mail the invitation (.ics) to the attendees.',
      'The Microsoft Teams meeting still exists on that service until its organiser deletes it.',
    ]);
    expect(body.scheduling.ics).toContain(body.room.url);
    expect(body.scheduling.ics).not.toContain('teams.microsoft.com');

    const stored = await davGet(href, rig.auth);
    expect(stored.data).not.toMatch(/teams\.microsoft\.com|X-MICROSOFT-SKYPETEAMSMEETINGURL/i);
    const [event] = events(stored.data);
    expect(event!.room).toBe(body.room.code);
    expect(event!.location).toBe(body.room.url);
    // The agent's own text is there as written, before and after where the Teams block was.
    const agent = corpusBody('teams/text-en-exchange.txt');
    expect(event!.description.startsWith(agent.slice(0, agent.indexOf('____')))).toBe(true);
    expect(event!.description).toContain('See you Monday.');
    expect(event!.description).toContain(body.room.url);
  });

  it('an Outlook export (DESCRIPTION and X-ALT-DESC HTML, a series): the Teams block leaves both, the Visio block goes in both, HTML in X-ALT-DESC', async () => {
    const href = await put(outlookTeamsSeries(randomUUID()));
    const { status, body } = await call({ calendar: rig.work, href, lang: 'en' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ changed: true, providers: ['teams'] });
    const stored = (await davGet(href, rig.auth)).data;
    expect(stored).not.toMatch(/teams\.microsoft\.com/);
    const unfolded = stored.replace(/\r?\n[ \t]/g, '');
    const alt = unfolded.split(/\r?\n/).filter((l) => /^X-ALT-DESC[;:]/.test(l));
    expect(alt).toHaveLength(1);
    expect(alt[0]).toMatch(/^X-ALT-DESC;FMTTYPE=text\/html:<html /);
    expect(alt[0]).toContain('id="visio-meeting-block"');
    expect(alt[0]).toContain(`<a href="${body.room.url}">`);
    expect(alt[0]).toContain('.NET Maintainers Committee');
    const [event] = events(stored);
    expect(event!.description).toContain(body.room.url);
    expect(event!.description).toContain('-- Visio ---');
    expect(event!.location).toBe(body.room.url);
  });

  it('is idempotent: a second switch changes nothing and keeps the room', async () => {
    const href = await put(eventIcs(randomUUID(), { ...teamsProperties() }));
    const first = await call({ calendar: rig.work, href });
    const before = await davGet(href, rig.auth);
    const again = await call({ calendar: rig.work, href });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, providers: [], notices: [], room: { code: first.body.room.code } });
    expect((await davGet(href, rig.auth)).etag).toBe(before.etag);
  });

  it('gives a Zoom series and its moved occurrence one room, with no Zoom link left, in French', async () => {
    const uid = randomUUID();
    const zoom = zoomProperties();
    const stamp = '20270104T090000Z';
    const ics = lines(
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//third party//test//EN',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      `DTSTAMP:${stamp}`,
      'DTSTART:20270104T090000Z',
      'DTEND:20270104T100000Z',
      'RRULE:FREQ=WEEKLY;COUNT=10',
      'SUMMARY:Hebdo',
      `LOCATION:${zoom.location}`,
      `DESCRIPTION:${zoom.description}`,
      'END:VEVENT',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      `DTSTAMP:${stamp}`,
      'RECURRENCE-ID:20270111T090000Z',
      'DTSTART:20270111T140000Z',
      'DTEND:20270111T150000Z',
      'SUMMARY:Hebdo (déplacé)',
      `LOCATION:${zoom.location}`,
      `DESCRIPTION:${zoom.description}`,
      'END:VEVENT',
      'END:VCALENDAR',
    );
    const href = await put(ics);
    const { status, body } = await call({ calendar: rig.work, uid });
    expect(status).toBe(200);
    expect(body.providers).toEqual(['zoom']);
    expect(body.notices).toEqual(["La réunion Zoom existe toujours sur ce service jusqu'à ce que son organisateur la supprime."]);
    const stored = (await davGet(href, rig.auth)).data;
    expect(stored).not.toMatch(/zoom\.us|zoomcrc/i);
    const all = events(stored);
    expect(all).toHaveLength(2);
    for (const e of all) {
      expect(e.room).toBe(body.room.code);
      expect(e.location).toBe(body.room.url);
      expect(e.description).toContain('Thanks, Agent');
    }
  });

  it('takes the Teams meeting out of an event that already has its Visio room, keeps the room and raises SEQUENCE', async () => {
    const href = await put(eventIcs(randomUUID(), { ...teamsProperties(), extra: ['SEQUENCE:3'] }));
    const added = await rig.gw.json('/v1/calendars/events/visio', { method: 'POST', headers: { 'x-caldav-authorization': rig.auth }, body: { calendar: rig.work, href } });
    const withRoom = (await davGet(href, rig.auth)).data;
    expect(withRoom).toContain('teams.microsoft.com');
    expect(/SEQUENCE:(\d+)/.exec(withRoom)?.[1]).toBe('4');
    const { status, body } = await call({ calendar: rig.work, href });
    expect(status).toBe(200);
    expect(body).toMatchObject({ changed: true, providers: ['teams'], room: { code: added.body.room.code } });
    const stored = (await davGet(href, rig.auth)).data;
    expect(stored).not.toMatch(/teams\.microsoft\.com/i);
    expect(/SEQUENCE:(\d+)/.exec(stored)?.[1]).toBe('5');
    expect(events(stored)[0]!.room).toBe(added.body.room.code);
    expect(events(stored)[0]!.location).toBe(added.body.room.url);
  });

  it('refuses an event with no foreign meeting and leaves it untouched', async () => {
    const href = await put(eventIcs(randomUUID(), { description: icsText('On se voit sur Zoom ? Sinon Teams.'), location: 'Salle 2' }));
    const before = await davGet(href, rig.auth);
    const { status, body } = await call({ calendar: rig.work, href });
    expect(status).toBe(422);
    expect(body.type).toBe('urn:visio:problem:no-foreign-meeting');
    const after = await davGet(href, rig.auth);
    expect(after.etag).toBe(before.etag);
    expect(after.data).toBe(before.data);
  });

  it('refuses without CalDAV credentials', async () => {
    const r = await rig.gw.json('/v1/calendars/events/switch', { method: 'POST', body: { calendar: rig.work, uid: 'x' } });
    expect(r.status).toBe(400);
  });
});
