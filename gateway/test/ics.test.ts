import ICAL from 'ical.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from './harness.ts';

const BASE = { title: 'Comité de pilotage', start: '2026-12-01T10:00:00', end: '2026-12-01T11:30:00', timeZone: 'Europe/Paris' };

function parse(ics: string) {
  const vcalendar = new ICAL.Component(ICAL.parse(ics));
  const vevents = vcalendar.getAllSubcomponents('vevent');
  expect(vevents).toHaveLength(1);
  return { vcalendar, vevent: vevents[0]! };
}

describe('POST /v1/ics', () => {
  it('returns an invitation file with a new room bound to the event', async () => {
    const gw = await startTestGateway();
    const response = await gw.fetch('/v1/ics', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...BASE,
        description: 'Ordre du jour : budget',
        location: 'Salle 204',
        organizer: { email: 'alice@interieur.gouv.fr', name: 'Alice Martin' },
        attendees: [{ email: 'bob@culture.gouv.fr', name: 'Bob' }],
        rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4',
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8; method=REQUEST');
    const ics = await response.text();
    const { vcalendar, vevent } = parse(ics);
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(vcalendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Paris');

    const rooms = (await gw.json('/v1/rooms')).body.items;
    expect(rooms).toHaveLength(1);
    const room = rooms[0];
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="visio-${room.code}.ics"`);
    expect(room.eventUid).toBe(vevent.getFirstPropertyValue('uid'));
    expect(vevent.getFirstPropertyValue('x-visio-room')).toBe(room.code);
    expect(String(vevent.getFirstPropertyValue('url'))).toBe(room.url);
    expect(String(vevent.getFirstPropertyValue('location'))).toContain('Salle 204');
    expect(String(vevent.getFirstPropertyValue('location'))).toContain(room.url);
    expect(String(vevent.getFirstPropertyValue('description'))).toContain('Ordre du jour : budget');
    expect(String(vevent.getFirstPropertyValue('description'))).toContain(room.url);
    expect(String(vevent.getFirstPropertyValue('rrule'))).toContain('FREQ=WEEKLY');
    const conference = ics
      .replace(/\r\n[ \t]/g, '')
      .split('\r\n')
      .find((l) => l.startsWith('CONFERENCE;'));
    expect(conference).toBeDefined();
    expect(conference).toContain(';VALUE=URI');
    expect(conference).toContain(';FEATURE=AUDIO,VIDEO');
    expect(conference!.endsWith(`:${room.url}`)).toBe(true);
    const start = vevent.getFirstProperty('dtstart')!;
    expect(start.getParameter('tzid')).toBe('Europe/Paris');
  });

  it('is a file to import (METHOD:PUBLISH, no ORGANIZER) without attendees', async () => {
    const gw = await startTestGateway();
    const response = await gw.fetch('/v1/ics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BASE) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8; method=PUBLISH');
    const { vcalendar, vevent } = parse(await response.text());
    expect(vcalendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(vevent.hasProperty('organizer')).toBe(false);
  });

  it('with attendees and no organizer given, is an invitation from the signed-in agent', async () => {
    const gw = await startTestGateway({ VISIO_LOCAL_USER_EMAIL: 'claire.martin@numerique.gouv.fr', VISIO_LOCAL_USER_NAME: 'Claire Martin' });
    const response = await gw.fetch('/v1/ics', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...BASE, attendees: [{ email: 'bob@culture.gouv.fr' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8; method=REQUEST');
    const { vcalendar, vevent } = parse(await response.text());
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const organizer = vevent.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:claire.martin@numerique.gouv.fr');
    expect(organizer.getParameter('cn')).toBe('Claire Martin');
  });

  it('writes UTC times with no TZID, and a linked zone under its own name', async () => {
    const gw = await startTestGateway();
    const utc = await gw.fetch('/v1/ics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...BASE, timeZone: 'Etc/UTC' }) });
    const utcIcs = await utc.text();
    expect(utcIcs).not.toContain('TZID');
    expect(parse(utcIcs).vevent.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART:20261201T100000Z');
    const reunion = await gw.fetch('/v1/ics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...BASE, timeZone: 'Indian/Reunion' }) });
    const { vcalendar, vevent } = parse(await reunion.text());
    expect(vcalendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Indian/Reunion']);
    expect(vevent.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Indian/Reunion');
  });

  it('uses an existing room when asked, and creates none', async () => {
    const gw = await startTestGateway();
    const { body: room } = await gw.json('/v1/rooms', { method: 'POST', body: {} });
    const answer = await gw.fetch('/v1/ics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...BASE, room: room.code.toUpperCase() }) });
    expect(answer.status).toBe(200);
    expect(parse(await answer.text()).vevent.getFirstPropertyValue('x-visio-room')).toBe(room.code);
    expect((await gw.json('/v1/rooms')).body.items).toHaveLength(1);
  });

  it('cannot be made to inject properties through text (property-based)', async () => {
    const gw = await startTestGateway();
    const nasty = fc.string({ unit: fc.constantFrom('a', ' ', '\r', '\n', ';', ':', ',', '\\', '"', '<', '>', '&', 'É', 'X', '-'), minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(nasty, async (text) => {
        const description = `${text}\r\nATTENDEE:mailto:evil@example.com\r\nX-INJECTED:1`;
        const answer = await gw.fetch('/v1/ics', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...BASE, description }),
        });
        expect(answer.status).toBe(200);
        const { vevent } = parse(await answer.text());
        expect(vevent.getFirstProperty('x-injected')).toBeNull();
        expect(vevent.getAllProperties('attendee')).toHaveLength(0);
        expect(String(vevent.getFirstPropertyValue('description'))).toContain(description.replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 40 },
    );
  });
});
