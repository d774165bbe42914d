/** "Switch to Visio" in the event editor: background logic with the typed fake `messenger`, real gateway process. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeInvitationHtml } from '@visio/shared/invitation';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { VisioAddon } from '../src/core.ts';
import { cleanLocation, foreignCleanup, scanLocation } from '../src/foreign-switch.ts';
import { ReleaseQueue } from '../src/release-queue.ts';
import { createFakeMessenger } from './fake-messenger.ts';
import { corpusBody } from './foreign-corpus.ts';

const INSTANCE = 'https://visio.numerique.gouv.fr';
const ZOOM_LINK = 'https://ucla.zoom.us/j/98765432109?pwd=UjJaZk1BZUZrRzNmWUlFYnFnZz09';
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGatewayProcess();
});
afterAll(async () => {
  await gateway?.stop();
});

async function roomCodes(): Promise<string[]> {
  const page = (await (await fetch(`${gateway.url}/v1/rooms?limit=100`)).json()) as { items: { code: string }[] };
  return page.items.map((r) => r.code);
}

function setup(local: Record<string, unknown> = {}) {
  const fake = createFakeMessenger({ local: { gatewayUrl: gateway.url, ...local } });
  const addon = new VisioAddon(fake.messenger, { deleteGraceMs: 30 });
  addon.start();
  return { fake, addon };
}

async function press(fake: ReturnType<typeof createFakeMessenger>, addon: VisioAddon, id: string, command: 'add' | 'switch' | 'remove') {
  fake.events.onCommand.fire(id, command);
  await addon.idle();
}

describe('location', () => {
  test('a part naming the service (Outlook joins them with "; ") or holding its link goes; the place stays', () => {
    expect(cleanLocation('Salle 4.12; Réunion Microsoft Teams')).toEqual({ location: 'Salle 4.12', providers: ['teams'] });
    expect(cleanLocation('Microsoft Teams Meeting')).toEqual({ location: '', providers: ['teams'] });
    expect(cleanLocation(ZOOM_LINK)).toEqual({ location: '', providers: ['zoom'] });
    expect(cleanLocation(`Salle 2 – ${ZOOM_LINK}`)).toEqual({ location: 'Salle 2', providers: ['zoom'] });
    // Characters ICS escapes map back onto the field's own text.
    expect(cleanLocation('Bât. A, salle 3; Zoom')).toEqual({ location: 'Bât. A, salle 3', providers: ['zoom'] });
    expect(scanLocation('Bât. A, salle 3; Zoom').spans).toEqual([{ start: 15, end: 21 }]);
    // Only a mention, or a Visio link: nothing.
    expect(cleanLocation('Salle Teams (2e étage)')).toEqual({ location: 'Salle Teams (2e étage)', providers: [] });
    expect(cleanLocation(`${INSTANCE}/abc-defg-hij`).providers).toEqual([]);
  });

  test('the stored item: X-MICROSOFT-* are deleted, URL and CONFERENCE are left to the fill', () => {
    const teams = corpusBody('teams/ics-fr-location-room').input;
    expect(foreignCleanup({ location: '', descriptionText: '', icalString: teams })).toMatchObject({ providers: ['teams'], deleteProperties: ['X-MICROSOFT-SKYPETEAMSMEETINGURL'] });
    const zoom = corpusBody('zoom/ics-fr-series').input;
    expect(foreignCleanup({ location: '', descriptionText: '', icalString: zoom })).toMatchObject({ providers: ['zoom'], deleteProperties: [] });
  });
});

describe('Switch to Visio', () => {
  test('a Teams event: offered, then the block, the location part and X-MICROSOFT-* go, Visio is added as by Add', async () => {
    const { fake, addon } = setup();
    const body = corpusBody('teams/html-fr-desktop');
    const id = fake.openEditor({
      title: 'Réunion de service',
      location: 'Salle 4.12; Réunion Microsoft Teams',
      descriptionHTML: body.input,
      icalString: corpusBody('teams/ics-fr-location-room').input,
    });
    await addon.idle();
    expect(fake.editors.get(id)!.state).toMatchObject({ hasRoom: false, switchFrom: 'Microsoft Teams' });
    const before = await roomCodes();
    await press(fake, addon, id, 'switch');
    const e = fake.editors.get(id)!;
    const code = e.pending.room!;
    const url = `${INSTANCE}/${code}`;
    expect(e.fields.location).toBe(`Salle 4.12 – ${url}`);
    // The agent's text byte for byte, the Visio block added.
    expect(e.fields.descriptionHTML).toContain('visio-meeting-block');
    expect(removeInvitationHtml(e.fields.descriptionHTML!)).toBe(body.expected);
    expect(e.fields.descriptionHTML).not.toContain('teams.microsoft.com');
    expect(e.pending).toEqual({ url, conference: url, room: code, deleteProperties: ['X-MICROSOFT-SKYPETEAMSMEETINGURL'] });
    expect(e.state).toMatchObject({ hasRoom: true, joinUrl: url, busy: false, switchFrom: '' });
    expect(e.state.message).toBe('editorSwitched(Microsoft Teams) editorSwitchedOldMeeting(Microsoft Teams)');
    // One room, held in the release queue until saved: discarding releases it like Add's.
    expect((await roomCodes()).filter((c) => !before.includes(c))).toEqual([code]);
    expect(await new ReleaseQueue(fake.messenger.storage.local).codes()).toEqual([code]);
    fake.close(id, false);
    await addon.idle();
    expect(await roomCodes()).not.toContain(code);
  });

  test('a Zoom series: its URL is replaced, the block goes, one room for the series, kept once saved', async () => {
    const { fake, addon } = setup();
    const body = corpusBody('zoom/html-fr-desktop');
    const id = fake.openEditor({ id: 'uid-zoom', title: 'Point hebdo', location: 'Salle 2', url: ZOOM_LINK, descriptionHTML: body.input, icalString: corpusBody('zoom/ics-fr-series').input });
    await addon.idle();
    expect(fake.editors.get(id)!.state.switchFrom).toBe('Zoom');
    await press(fake, addon, id, 'switch');
    const e = fake.editors.get(id)!;
    const code = e.pending.room!;
    const url = `${INSTANCE}/${code}`;
    expect(e.pending).toEqual({ url, conference: url, room: code });
    expect(e.fields.location).toBe(`Salle 2 – ${url}`);
    expect(removeInvitationHtml(e.fields.descriptionHTML!)).toBe(body.expected);
    expect(e.state.message).toBe('editorSwitched(Zoom) editorSwitchedOldMeeting(Zoom)');
    fake.save(id);
    fake.close(id, true);
    await addon.idle();
    expect(await roomCodes()).toContain(code);
    expect(await new ReleaseQueue(fake.messenger.storage.local).codes()).toEqual([]);
  });

  test('a series whose moved occurrence holds a Zoom meeting: offered, and the occurrence is rewritten with the series’ room', async () => {
    const { fake, addon } = setup();
    const text = corpusBody('zoom/text-fr');
    const id = fake.openEditor({
      id: 'uid-moved',
      title: 'Point hebdo',
      location: 'Salle 2',
      descriptionHTML: '<p>Point hebdomadaire.</p>',
      exceptions: [{ recurrenceId: '20270111T090000Z', location: `Salle 5 – ${ZOOM_LINK}`, descriptionHTML: '', descriptionText: text.input, icalString: '' }],
    });
    await addon.idle();
    expect(fake.editors.get(id)!.state.switchFrom).toBe('Zoom');
    await press(fake, addon, id, 'switch');
    const e = fake.editors.get(id)!;
    const url = `${INSTANCE}/${e.pending.room!}`;
    expect(e.pending.exceptions).toHaveLength(1);
    const moved = e.pending.exceptions![0]!;
    expect(moved).toMatchObject({ recurrenceId: '20270111T090000Z', location: `Salle 5 – ${url}`, deleteProperties: [] });
    // The occurrence's own text, as HTML lines, without the Zoom block (a blank line may stay where it was), then the Visio block.
    expect(removeInvitationHtml(moved.descriptionHTML).replace(/(<br>)+/g, '<br>')).toBe(text.expected.replace(/(\r?\n)+/g, '<br>'));
    expect(moved.descriptionHTML).toContain(url);
    expect(moved.descriptionHTML).not.toContain('zoom.us');
    expect(e.fields.location).toBe(`Salle 2 – ${url}`);
  });

  test('Webex: no "old meeting" sentence; an event without a foreign meeting is not offered the switch', async () => {
    const { fake, addon } = setup();
    const webex = fake.openEditor({ title: 'W', location: 'https://acme.webex.com/meet/jdoe' });
    const plain = fake.openEditor({ title: 'P', location: 'Salle Teams', descriptionHTML: '<p>On parlera de Zoom.</p>' });
    await addon.idle();
    expect(fake.editors.get(plain)!.state.switchFrom).toBe('');
    await press(fake, addon, webex, 'switch');
    const e = fake.editors.get(webex)!;
    expect(e.fields.location).toBe(`${INSTANCE}/${e.pending.room}`);
    expect(e.state.message).toBe('editorSwitched(Webex)');
    // Pressed on an event that has none (its text changed meanwhile): nothing is created.
    const before = await roomCodes();
    await press(fake, addon, plain, 'switch');
    expect(fake.editors.get(plain)!.state).toMatchObject({ busy: false, switchFrom: '', message: 'editorNothingToSwitch' });
    expect(fake.editors.get(plain)!.pending).toEqual({});
    expect(await roomCodes()).toEqual(before);
  });

  test('all or nothing: a fill that fails leaves the Teams meeting as it was and releases the room', async () => {
    const { fake, addon } = setup();
    const body = corpusBody('teams/text-fr-exchange');
    const html = `<p>${body.input.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r\n/g, '<br>')}</p>`;
    const id = fake.openEditor({ title: 'T', location: 'Microsoft Teams Meeting', descriptionHTML: html });
    await addon.idle();
    expect(fake.editors.get(id)!.state.switchFrom).toBe('Microsoft Teams');
    const before = await roomCodes();
    fake.failures.setFields = new Error('could not fill the editor');
    await press(fake, addon, id, 'switch');
    const e = fake.editors.get(id)!;
    expect(e.fields).toMatchObject({ location: 'Microsoft Teams Meeting', descriptionHTML: html });
    expect(e.pending).toEqual({});
    expect(e.state).toMatchObject({ busy: false, hasRoom: false, switchFrom: 'Microsoft Teams', message: 'editorFillFailed' });
    await expect.poll(roomCodes).toEqual(before);
    // Pressed again, it works; the text form of the block (links as `label<url>`) is found too.
    await press(fake, addon, id, 'switch');
    expect(fake.editors.get(id)!.fields.location).toBe(`${INSTANCE}/${fake.editors.get(id)!.pending.room}`);
    expect(fake.editors.get(id)!.fields.descriptionHTML).not.toContain('teams.microsoft.com');
    expect(fake.editors.get(id)!.fields.descriptionHTML).toContain('Merci de confirmer votre présence.');
  });

  test('gateway unreachable: a readable message, nothing changed', async () => {
    const { fake, addon } = setup({ gatewayUrl: 'http://127.0.0.1:9' });
    const id = fake.openEditor({ title: 'Z', location: ZOOM_LINK });
    await addon.idle();
    await press(fake, addon, id, 'switch');
    const e = fake.editors.get(id)!;
    expect(e.fields.location).toBe(ZOOM_LINK);
    expect(e.pending).toEqual({});
    expect(e.state.busy).toBe(false);
    expect(e.state.message).toMatch(/Impossible de joindre/);
  });
});
