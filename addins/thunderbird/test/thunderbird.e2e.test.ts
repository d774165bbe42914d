/**
 * The built .xpi in each supported Thunderbird ESR (Debian's 140 and 153; headless, fresh profile) against
 * a real gateway process on loopback, driven through Marionette's chrome context.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { enableCalendars, importMessages, launchThunderbird, thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { ADDON_ID, XPI, editorScripts as E } from './tb-scripts.ts';

const INSTANCE = 'https://visio.numerique.gouv.fr';
const LINK = `${INSTANCE}/abc-defg-hij`;

function headers(subject: string, contentType: string): string[] {
  return [
    'From: Organisatrice <orga@example.gouv.fr>',
    'To: Agent Test <agent@example.gouv.fr>',
    `Subject: ${subject}`,
    'Date: Mon, 01 Jan 2024 10:00:00 +0100',
    `Message-ID: <${subject.replace(/\W/g, '')}@example.gouv.fr>`,
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    '',
  ];
}

function mail(subject: string, body: string): string {
  return [...headers(subject, 'text/plain; charset=utf-8'), body, ''].join('\n');
}

/**
 * An invitation as calendar clients send it (iMIP, RFC 6047): a text part without the link and a
 * text/calendar; method=REQUEST part whose LOCATION holds it, folded at 75 octets (RFC 5545 3.1) in the
 * middle of the link, and DESCRIPTION with escaped text. The calendar part is inline (multipart/alternative)
 * or, as several servers send it, an attachment (invite.ics), which Thunderbird gives add-ons no body for.
 */
function invitationMail(subject: string, link: string, attached: boolean): string {
  const fold = (line: string) => line.match(/.{1,74}/g)!.join('\r\n ');
  const ics = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Example//Agenda 1.0//FR',
    'VERSION:2.0',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    'UID:imip-visio-1@example.gouv.fr',
    'DTSTAMP:20240101T090000Z',
    'DTSTART:20240115T090000Z',
    'DTEND:20240115T100000Z',
    `SUMMARY:${subject}`,
    fold(`LOCATION:Salle du conseil\\, bâtiment B – ${link}`),
    'DESCRIPTION:Ordre du jour\\; budget\\nÀ bientôt',
    'ORGANIZER;CN=Organisatrice:mailto:orga@example.gouv.fr',
    'ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:agent@example.gouv.fr',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
  return [
    ...headers(subject, `multipart/${attached ? 'mixed' : 'alternative'}; boundary="imip"`),
    '--imip',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Vous êtes invité(e) à une réunion.',
    '--imip',
    `Content-Type: text/calendar; charset=utf-8; method=REQUEST${attached ? '; name="invite.ics"' : ''}`,
    ...(attached ? ['Content-Disposition: attachment; filename="invite.ics"'] : []),
    'Content-Transfer-Encoding: 8bit',
    '',
    ics,
    '--imip--',
    '',
  ].join('\n');
}

async function roomCodes(gateway: GatewayProcess): Promise<string[]> {
  const r = await fetch(`${gateway.url}/v1/rooms?limit=100`);
  expect(r.status).toBe(200);
  const page = (await r.json()) as { items: { code: string }[] };
  return page.items.map((room) => room.code);
}

function property(vevent: ICAL.Component, name: string): string | null {
  const value = vevent.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

describe.each(thunderbirdInstallations().map((t) => [t.major, t.executable] as const))('Visio add-on in Thunderbird %s', (_major, executable) => {
  let gateway: GatewayProcess;
  let tb: Thunderbird;

  beforeAll(async () => {
    gateway = await startGatewayProcess();
    tb = await launchThunderbird({
      executable,
      addon: { id: ADDON_ID, xpi: XPI },
      extensionStorage: { [ADDON_ID]: { gatewayUrl: gateway.url, lang: 'fr' } },
      messages: [
        mail('Invitation Visio', `Bonjour,\n\nRejoindre la réunion :\n${LINK}\n\nÀ bientôt`),
        mail('Sans lien', 'Rien à rejoindre ici.'),
        invitationMail('Comité de pilotage', `${INSTANCE}/xyz-abcd-efg`, false),
        invitationMail('Invitation jointe', `${INSTANCE}/klm-nopq-rst`, true),
      ],
    });
    await enableCalendars(tb);
    expect(await importMessages(tb)).toBe(4);
    await tb.waitFor(E.addonActive, [ADDON_ID], { what: 'the add-on to be active' });
  }, 120_000);

  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
  });

  let savedCode = '';

  test('Add Visio meeting in a new event dialog, save, and the stored event carries the room everywhere', async () => {
    const view = await E.openNewEvent(tb, 'Point hebdo équipe');
    await tb.chrome(E.press, view, 'add');
    const fields = await tb.waitFor<{ location: string; join: string }>(E.filledFields, [view], { what: 'the fields to be filled' });
    const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)?.[1];
    expect(code, fields.location).toBeTruthy();
    expect(fields.location).toBe(`${INSTANCE}/${code}`);
    // "Join Visio" appears once the editor holds a link; "Remove" replaces "Add".
    expect(fields.join).toBe(`${INSTANCE}/${code}`);
    expect(await tb.chrome(E.buttons, view)).toEqual({ add: false, remove: true, join: true });
    expect(await roomCodes(gateway)).toContain(code);

    await tb.chrome(E.accept, view);
    const ics = await tb.waitFor<string>(E.storedEvent, ['Point hebdo équipe'], { what: 'the event in the Home calendar' });
    const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    const url = `${INSTANCE}/${code}`;
    expect(property(vevent, 'location')).toBe(url);
    expect(property(vevent, 'url')).toBe(url);
    expect(property(vevent, 'conference')).toBe(url);
    expect(property(vevent, 'x-visio-room')).toBe(code);
    const description = property(vevent, 'description') ?? '';
    expect(description.split('\n').map((l) => l.trim())).toContain(url);
    expect(ics).toMatch(/CONFERENCE;[^\r\n]*FEATURE=VIDEO/);
    expect(ics).toMatch(/CONFERENCE;[^\r\n]*VALUE=URI/);
    savedCode = code!;
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    // Saved with the event: the room is kept.
    expect(await roomCodes(gateway)).toContain(code);
  });

  test("the access level: the gateway's levels offered, its default preselected; the one chosen is the room's", async () => {
    const config = (await (await fetch(`${gateway.url}/v1/config`)).json()) as { accessLevels: string[]; defaultAccessLevel: string };
    const view = await E.openNewEvent(tb, 'Accès restreint');
    const offered = await tb.waitFor<{ shown: boolean; value: string; offered: string[] }>(E.accessOffered, [view], { what: 'the access choice' });
    expect(offered).toEqual({ shown: true, value: config.defaultAccessLevel, offered: config.accessLevels });
    const chosen = config.accessLevels.find((l) => l !== config.defaultAccessLevel)!;
    await tb.chrome(E.access, view, chosen);
    await tb.chrome(E.press, view, 'add');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the fields to be filled' });
    const room = (await (await fetch(`${gateway.url}/v1/rooms/${fields.location.slice(-12)}`)).json()) as { accessLevel: string };
    expect(room.accessLevel).toBe(chosen);
    // Once the room exists the choice is gone (the room keeps the level it was created with).
    expect((await tb.chrome<{ shown: boolean }>(E.access, view)).shown).toBe(false);
    await E.discard(tb, view);
  });

  test('reopening the saved event offers Join and Remove; Remove then discard keeps the stored room', async () => {
    const view = await E.openExistingEvent(tb, 'Point hebdo équipe');
    await tb.waitFor(E.buttonsEqual, [view, { add: false, remove: true, join: true }], { what: 'Join and Remove buttons' });
    expect(await tb.chrome(E.joinUrl, view)).toBe(`${INSTANCE}/${savedCode}`);
    // Remove takes the link and block out of the visible fields…
    await tb.chrome(E.press, view, 'remove');
    const cleared = await tb.waitFor<{ location: string; description: string }>(E.clearedFields, [view], { what: 'the meeting to be removed' });
    expect(cleared.location).toBe('');
    expect(cleared.description).not.toContain('visio-meeting-block');
    expect(cleared.description).not.toContain(savedCode);
    expect(await tb.chrome(E.buttons, view)).toEqual({ add: true, remove: false, join: false });
    // …but discarding the editor keeps the stored event and its room as they were.
    await E.discard(tb, view);
    await new Promise((r) => setTimeout(r, 300));
    expect(await roomCodes(gateway)).toContain(savedCode);
    const ics = await tb.chrome<string>(E.storedEvent, 'Point hebdo équipe');
    expect(ics).toContain(`X-VISIO-ROOM:${savedCode}`);
  });

  test('the same in an event editor tab; there Remove and save clears the stored event and releases the room', async () => {
    await tb.chrome(E.editInTab, true);
    try {
      const view = await E.openNewEvent(tb, 'Réunion en onglet');
      await tb.chrome(E.press, view, 'add');
      const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the fields to be filled in the tab' });
      const code = fields.location.slice(-12);
      await tb.chrome(E.accept, view);
      const ics = await tb.waitFor<string>(E.storedEvent, ['Réunion en onglet'], { what: 'the event saved from the tab' });
      const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
      expect(property(vevent, 'x-visio-room')).toBe(code);
      expect(property(vevent, 'conference')).toBe(`${INSTANCE}/${code}`);
      await tb.waitFor(E.noEditorTab, [], { what: 'the tab to close' });
      expect(await roomCodes(gateway)).toContain(code);

      // Reopen, Remove, Save: the stored event loses every trace and the room is released.
      const again = await E.openExistingEvent(tb, 'Réunion en onglet');
      await tb.waitFor(E.buttonsEqual, [again, { add: false, remove: true, join: true }], { what: 'Remove in the reopened tab' });
      await tb.chrome(E.press, again, 'remove');
      await tb.waitFor(E.clearedFields, [again], { what: 'the meeting to be removed' });
      await tb.chrome(E.accept, again);
      await tb.waitFor(E.noEditorTab, [], { what: 'the tab to close' });
      const stored = await tb.waitFor<string>(E.storedEventWithout, ['Réunion en onglet', 'X-VISIO-ROOM'], { what: 'the event saved without the room' });
      for (const name of ['X-VISIO-ROOM', 'CONFERENCE', 'URL:', INSTANCE]) expect(stored).not.toContain(name);
      await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).not.toContain(code);
      await tb.chrome(E.deleteEvent, 'Réunion en onglet');
    } finally {
      await tb.chrome(E.editInTab, false);
    }
  });

  test('a read-only event (an invitation) with a hand-written Visio link shows Join Visio in its summary', async () => {
    await tb.chrome(E.addPlainEvent, 'Invitation reçue', `Salle B – ${LINK.toUpperCase().replace('HTTPS://VISIO.NUMERIQUE.GOUV.FR', 'https://visio.numerique.gouv.fr')}`);
    expect(await E.summaryJoinUrl(tb, 'Invitation reçue')).toBe(LINK);
    await tb.chrome(E.deleteEvent, 'Invitation reçue');
  });

  test('a room added in an editor that is then discarded is released', async () => {
    const view = await E.openNewEvent(tb, 'Réunion abandonnée');
    await tb.chrome(E.press, view, 'add');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the fields to be filled' });
    const code = fields.location.slice(-12);
    expect(await roomCodes(gateway)).toContain(code);
    await E.discard(tb, view);
    await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).not.toContain(code);
    expect(await roomCodes(gateway)).toContain(savedCode);
  });

  test('a fill that fails part way (140-style updateItemURL throwing) restores the fields, releases the room and frees the buttons', async () => {
    const view = await E.openNewEvent(tb, 'Remplissage raté');
    await tb.chrome(E.typeLocation, view, 'Salle 12');
    const before = await roomCodes(gateway);
    await tb.chrome(E.breakUpdateItemURL, view);
    await tb.chrome(E.press, view, 'add');
    const creating = 'Création de la réunion Visio…';
    const settled = await tb.waitFor<{ location: string; description: string; status: string; addVisible: boolean; addEnabled: boolean; removeVisible: boolean }>(E.settledEditor, [view, creating], {
      what: 'the editor to settle after the failed fill',
    });
    expect(settled).toMatchObject({ location: 'Salle 12', addVisible: true, addEnabled: true, removeVisible: false });
    expect(settled.description).not.toContain('visio-meeting-block');
    expect(settled.status).toMatch(/nothing was changed|rien n’a été modifié/);
    // Created, then released: the gateway holds exactly the rooms it held before.
    await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).toEqual(before);
    // Saved now, the event carries nothing of the room.
    await tb.chrome(E.accept, view);
    const ics = await tb.waitFor<string>(E.storedEvent, ['Remplissage raté'], { what: 'the event saved after the failed fill' });
    for (const name of ['X-VISIO-ROOM', 'CONFERENCE', INSTANCE]) expect(ics).not.toContain(name);
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    await tb.chrome(E.deleteEvent, 'Remplissage raté');
  });

  test('removing the meeting from one occurrence removes its link only; the series keeps its room', async () => {
    const created = await fetch(`${gateway.url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"Série"}' });
    const room = (await created.json()) as { code: string; url: string };
    await tb.chrome(E.addRecurringEvent, 'Point quotidien', room.url, room.code);
    const view = await E.openOccurrence(tb, 'Point quotidien', 2);
    await tb.waitFor(E.buttonsEqual, [view, { add: false, remove: true, join: true }], { what: 'Remove in the occurrence editor' });
    await tb.chrome(E.press, view, 'remove');
    await tb.waitFor(E.clearedFields, [view], { what: 'the meeting to be removed from the occurrence' });
    await tb.chrome(E.accept, view);
    const [masterIcs, exceptionIcs] = await tb.waitFor<[string, string]>(E.storedSeriesWithException, ['Point quotidien'], { what: 'the series stored with its exception' });
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    // The master still carries the room; the exception (that occurrence) carries none of it.
    const vevent = (ics: string) => new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    const master = vevent(masterIcs);
    const exception = vevent(exceptionIcs);
    expect(exception.hasProperty('recurrence-id')).toBe(true);
    expect(property(master, 'x-visio-room')).toBe(room.code);
    expect(property(master, 'location')).toBe(room.url);
    expect(property(exception, 'x-visio-room')).toBeNull();
    expect(property(exception, 'location') ?? '').not.toContain(room.code);
    expect(property(exception, 'url')).toBeNull();
    // The save's release decision has run (the editor closed): the room is still there.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await roomCodes(gateway)).toContain(room.code);
    // Deleting the whole series releases it.
    await tb.chrome(E.deleteEvent, 'Point quotidien');
    await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).not.toContain(room.code);
  });

  test('deleting an event that carries X-VISIO-ROOM releases its room; a hand-written link is left alone', async () => {
    // A room of the same agent, pasted by hand into another event (no X-VISIO-ROOM).
    const created = await fetch(`${gateway.url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const manual = (await created.json()) as { code: string; url: string };
    await tb.chrome(E.addPlainEvent, 'Lien manuel', manual.url);
    // Saved more than a second ago: not mistaken for the add half of a move between calendars.
    await new Promise((r) => setTimeout(r, 1200));
    await tb.chrome(E.deleteEvent, 'Lien manuel');
    await tb.chrome(E.deleteEvent, 'Point hebdo équipe');
    await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).not.toContain(savedCode);
    // The release of the other event happened after the same grace delay: the manual room is still there.
    await new Promise((r) => setTimeout(r, 500));
    expect(await roomCodes(gateway)).toContain(manual.code);
  });

  test('Insert Visio meeting puts the invitation block at the cursor of an HTML compose window', async () => {
    const before = await roomCodes(gateway);
    const body = await E.composeAndInsert(tb, 'Réunion de service', false, true);
    expect(body).toContain('visio-meeting-block');
    expect(body).toContain('Avant le bloc');
    const codes = (await roomCodes(gateway)).filter((c) => !before.includes(c));
    expect(codes).toHaveLength(1);
    expect(body).toContain(`${INSTANCE}/${codes[0]}`);
    // At the cursor: after the text typed before pressing the button.
    expect(body.indexOf('Avant le bloc')).toBeLessThan(body.indexOf('visio-meeting-block'));
    // Closed without sending or saving a draft: the room is released.
    await tb.chrome(E.closeCompose);
    await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).toEqual(before);
  });

  test('Insert Visio meeting in a plain-text compose window inserts the text block', async () => {
    const body = await E.composeAndInsert(tb, 'Texte brut', true);
    expect(body).toContain('-- Visio ---');
    expect(body).toMatch(/https:\/\/visio\.numerique\.gouv\.fr\/[a-z]{3}-[a-z]{4}-[a-z]{3}/);
    expect(body.indexOf('Avant le bloc')).toBeLessThan(body.indexOf('-- Visio'));
  });

  test('the Join Visio message action is disabled on a mail without a Visio link and enabled on one with it', async () => {
    // Same tab: disabled then enabled again proves the add-on read both messages.
    expect(await E.messageActionEnabled(tb, 'Sans lien')).toBe(false);
    expect(await E.messageActionEnabled(tb, 'Invitation Visio')).toBe(true);
  });

  test('Join Visio is enabled on an invitation (iMIP) whose link is only in its text/calendar part, inline or attached', async () => {
    expect(await E.messageActionEnabled(tb, 'Sans lien')).toBe(false);
    expect(await E.messageActionEnabled(tb, 'Comité de pilotage')).toBe(true);
    expect(await E.messageActionEnabled(tb, 'Sans lien')).toBe(false);
    expect(await E.messageActionEnabled(tb, 'Invitation jointe')).toBe(true);
  });
});
