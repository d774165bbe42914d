import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { davGet, eventIcs, events } from './caldav-helpers.ts';
import { radicaleRig } from './radicale-rig.ts';
import { corpusBody, icsText, teamsProperties, zoomProperties } from './switch-fixtures.ts';

const ME = 'alice@example.test';
const rig = radicaleRig(ME);
const { put } = rig;

const call = (method: string, path: string, body?: unknown) => rig.gw.json(path, { method, headers: { 'x-caldav-authorization': rig.auth }, ...(body === undefined ? {} : { body }) });

async function finished(id: string) {
  for (;;) {
    const { body } = await call('GET', `/v1/calendars/migrations/${id}`);
    if (body.status !== 'running') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('switch a calendar to Visio on Radicale', () => {
  it('plans, converts only the events the agent organises, reports, and changes nothing the second time', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const soon = (h: number) => new Date(t0 + h * 3_600_000);
    const teams = await put(eventIcs(randomUUID(), { summary: 'Teams mine', start: soon(5), ...teamsProperties(), organizer: ME, attendees: ['bob@example.test'] }));
    const zoom = await put(eventIcs(randomUUID(), { summary: 'Zoom series mine', start: soon(30), ...zoomProperties(), rrule: 'FREQ=WEEKLY;COUNT=5' }));
    const theirs = await put(eventIcs(randomUUID(), { summary: 'Teams theirs', start: soon(10), ...teamsProperties(), organizer: 'bob@example.test', attendees: [ME] }));
    const plain = await put(eventIcs(randomUUID(), { summary: 'Nothing foreign', start: soon(3), description: icsText('On en parle sur Zoom ?') }));
    const past = await put(eventIcs(randomUUID(), { summary: 'Past Google Meet', start: new Date(Date.now() - 5 * 86_400_000), description: icsText(corpusBody('google-meet/text-en-caldav.txt')) }));
    const before = Object.fromEntries(await Promise.all([theirs, plain, past].map(async (h) => [h, (await davGet(h, rig.auth)).data])));

    const planned = await call('POST', '/v1/calendars/migrations', { lang: 'en' });
    expect(planned.status).toBe(201);
    expect(planned.headers.get('location')).toBe(`/v1/calendars/migrations/${planned.body.id}`);
    const plan = planned.body;
    expect(plan).toMatchObject({ status: 'planned', total: 3, toConvert: 2, processed: 0, scheduling: 'client' });
    expect(plan.items.map((i: any) => [i.title, i.providers, i.organizer, i.action, i.recurring])).toEqual([
      ['Teams mine', ['teams'], true, 'convert', false],
      ['Teams theirs', ['teams'], false, 'askOrganizer', false],
      ['Zoom series mine', ['zoom'], true, 'convert', true],
    ]);
    expect(plan.items[0].next).toBe(soon(5).toISOString());
    expect(plan.counts).toEqual({ teams: { found: 2, converted: 0, askOrganizer: 1, failed: 0 }, zoom: { found: 1, converted: 0, askOrganizer: 0, failed: 0 } });

    const applied = await call('POST', `/v1/calendars/migrations/${plan.id}/apply`, { lang: 'en' });
    expect(applied.status).toBe(202);
    const done = await finished(plan.id);
    expect(done).toMatchObject({ status: 'done', processed: 2, toConvert: 2 });
    expect(done.counts.teams).toEqual({ found: 2, converted: 1, askOrganizer: 1, failed: 0 });
    expect(done.counts.zoom).toEqual({ found: 1, converted: 1, askOrganizer: 0, failed: 0 });
    for (const href of [teams, zoom]) {
      const data = (await davGet(href, rig.auth)).data;
      expect(data).not.toMatch(/teams\.microsoft\.com|zoom\.us/i);
      const item = done.items.find((i: any) => i.href === href);
      expect(events(data).every((e) => e.room === item.room)).toBe(true);
      expect(/SEQUENCE:(\d+)/.exec(data)?.[1]).toBe('1');
    }
    for (const [href, data] of Object.entries(before)) expect((await davGet(href, rig.auth)).data).toBe(data);

    const csv = await rig.gw.fetch(`/v1/calendars/migrations/${plan.id}/report.csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('title,next,providers,organizer,action,result,room,error,href');
    expect(lines.slice(1).map((l) => l.split(',').slice(3, 6).join(','))).toEqual(['yes,convert,converted', 'no,askOrganizer,askOrganizer', 'yes,convert,converted']);

    // Applying again, or a new run, changes nothing.
    const etags = await Promise.all([teams, zoom].map(async (h) => (await davGet(h, rig.auth)).etag));
    await call('POST', `/v1/calendars/migrations/${plan.id}/apply`, { lang: 'en' });
    expect((await finished(plan.id)).processed).toBe(2);
    const second = (await call('POST', '/v1/calendars/migrations', {})).body;
    expect(second.items.map((i: any) => i.action)).toEqual(['askOrganizer']);
    await call('POST', `/v1/calendars/migrations/${second.id}/apply`, {});
    expect((await finished(second.id)).status).toBe('done');
    expect(await Promise.all([teams, zoom].map(async (h) => (await davGet(h, rig.auth)).etag))).toEqual(etags);
  });

  it('documents the switch and migration routes in /openapi.json', async () => {
    const { body } = await rig.gw.json('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/calendars/events/switch',
        '/v1/calendars/migrations',
        '/v1/calendars/migrations/{id}',
        '/v1/calendars/migrations/{id}/apply',
        '/v1/calendars/migrations/{id}/report.csv',
      ]),
    );
    expect(body.paths['/v1/calendars/migrations'].post.parameters.map((p: any) => p.name)).toContain('x-caldav-authorization');
    expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(['SwitchEventResult', 'Migration', 'MigrationItem', 'MigrationRequest', 'MigrationApply']));
  });

  it('refuses a bad range, unknown items and unknown migrations', async () => {
    expect((await call('POST', '/v1/calendars/migrations', { from: '2027-01-02T00:00:00Z', to: '2027-01-01T00:00:00Z' })).status).toBe(400);
    expect((await call('POST', '/v1/calendars/migrations', { from: '2027-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' })).status).toBe(400);
    const plan = (await call('POST', '/v1/calendars/migrations', {})).body;
    const bad = await call('POST', `/v1/calendars/migrations/${plan.id}/apply`, { items: ['nope'] });
    expect(bad.status).toBe(400);
    expect((await call('GET', `/v1/calendars/migrations/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', '/v1/calendars/migrations/..%2F..')).status).toBe(400);
  });
});
