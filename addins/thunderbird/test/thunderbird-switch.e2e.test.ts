/**
 * "Passer à Visio" in real Thunderbird 140 and 153 (headless, fresh profile, French) against a real gateway
 * process: a Teams event (LOCATION `Salle; Réunion Microsoft Teams`, the HTML block of the corpus,
 * X-MICROSOFT-SKYPETEAMSMEETINGURL) and a weekly Zoom series (text block, Zoom link in URL), as such
 * invitations are stored, each switched in its event dialog, saved, and read back from the calendar.
 */
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { corpusBody } from './foreign-corpus.ts';
import { editorScripts as E, launchWithAddon } from './tb-scripts.ts';

const INSTANCE = 'https://visio.numerique.gouv.fr';
const SHOTS = join(import.meta.dirname, '..', '..', '..', 'test-results', 'thunderbird-switch');

async function roomCodes(gateway: GatewayProcess): Promise<string[]> {
  const r = await fetch(`${gateway.url}/v1/rooms?limit=100`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { items: { code: string }[] }).items.map((room) => room.code);
}

/** The VEVENT of a corpus ICS, retitled and moved to tomorrow in UTC (its Windows zone names are unknown here). */
function vevent(name: string, title: string): string {
  const ics = corpusBody(name).input;
  const body = ics.slice(ics.indexOf('BEGIN:VEVENT'), ics.indexOf('END:VEVENT') + 'END:VEVENT'.length);
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return body
    .replace(/^UID:.*$/m, `UID:${title.replace(/\W/g, '')}@example.gouv.fr`)
    .replace(/^SUMMARY[^:\r\n]*:.*$/m, `SUMMARY:${title}`)
    .replace(/^DTSTART[^:\r\n]*:.*$/m, `DTSTART:${day}T090000Z`)
    .replace(/^DTEND[^:\r\n]*:.*$/m, `DTEND:${day}T100000Z`);
}

function prop(component: ICAL.Component, name: string): string | null {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

describe.each(thunderbirdInstallations().map((t) => [t.major, t] as const))('Passer à Visio in Thunderbird %s (French)', (major, installation) => {
  let gateway: GatewayProcess;
  let tb: Thunderbird;

  beforeAll(async () => {
    gateway = await startGatewayProcess();
    tb = await launchWithAddon(installation.executable, { gatewayUrl: gateway.url }, { langpack: { locale: 'fr', xpi: installation.frenchLangpack } });
  }, 120_000);

  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
  });

  async function shot(view: string, name: string): Promise<void> {
    await E.saveScreenshot(tb, view, join(SHOTS, `tb${major}-${name}.png`));
  }

  test('a Teams event: switched in its dialog, saved; the Visio meeting everywhere, Teams nowhere, the agent’s text intact, one room', async () => {
    const html = corpusBody('teams/html-fr-desktop');
    await tb.chrome(E.addEventFromIcs, vevent('teams/ics-fr-location-room', 'Réunion Teams à basculer'), html.input);
    const before = await roomCodes(gateway);
    const view = await E.openExistingEvent(tb, 'Réunion Teams à basculer');
    const offered = await tb.waitFor<{ location: string; description: string }>(E.switchOffered, [view], { what: 'Passer à Visio to be offered' });
    expect(offered.location).toBe('Salle 4.12; Réunion Microsoft Teams');
    expect(offered.description).toContain('teams.microsoft.com');
    const state = await tb.chrome<{ shown: boolean; label: string; description: string }>(E.switchState, view);
    expect(state).toMatchObject({ shown: true, label: 'Passer à Visio' });
    expect(state.description).toContain('Microsoft Teams');
    await shot(view, 'teams-before');
    type Box = { x: number; y: number; width: number; height: number };
    const layoutBefore = await tb.chrome<{ location: Box; row: Box }>(E.layout, view);

    await tb.chrome(E.press, view, 'switch');
    const fields = await tb.waitFor<{ location: string; join: string }>(E.filledFields, [view], { what: 'the Visio meeting to replace the Teams one' });
    const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
    const url = `${INSTANCE}/${code}`;
    expect(fields.location).toBe(`Salle 4.12 – ${url}`);
    const after = await tb.chrome<{ shown: boolean; status: string }>(E.switchState, view);
    expect(after.shown).toBe(false);
    expect(after.status).toContain('Les participants recevront la mise à jour quand l’événement sera enregistré et envoyé.');
    expect(after.status).toContain('L’ancienne réunion existe toujours sur Microsoft Teams');
    await shot(view, 'teams-after');
    // The Location field keeps its box; the Visio row (with the longer, wrapping status) stays under it.
    const layoutAfter = await tb.chrome<{ location: Box; row: Box; status: Box; windowWidth: number }>(E.layout, view);
    expect(layoutAfter.location).toEqual(layoutBefore.location);
    expect(layoutAfter.row.y).toBeGreaterThanOrEqual(layoutAfter.location.y + layoutAfter.location.height);
    expect(layoutAfter.status.x + layoutAfter.status.width).toBeLessThanOrEqual(layoutAfter.windowWidth);

    await tb.chrome(E.accept, view);
    const ics = await tb.waitFor<string>(E.storedEventWithout, ['Réunion Teams à basculer', 'teams.microsoft.com'], { what: 'the switched event in the calendar' });
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    expect(prop(event, 'location')).toBe(`Salle 4.12 – ${url}`);
    expect(prop(event, 'url')).toBe(url);
    expect(prop(event, 'conference')).toBe(url);
    expect(prop(event, 'x-visio-room')).toBe(code);
    const description = prop(event, 'description') ?? '';
    expect(description).toContain(url);
    // The agent's own lines, around the block that went.
    expect(description).toMatch(/^Réunion de service\n/);
    expect(description).toContain('Bonne journée');
    for (const gone of ['teams.microsoft.com', 'X-MICROSOFT', 'Réunion Microsoft Teams', 'ID de réunion', 'ps3JH7YK', '________']) expect(ics).not.toContain(gone);
    // One room, created for this event, and it stays once saved.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await roomCodes(gateway)).filter((c) => !before.includes(c))).toEqual([code]);
  });

  test('Remove after a switch: Add comes back, Switch is not offered again; discarded, the room is released', async () => {
    await tb.chrome(E.addEventFromIcs, vevent('teams/ics-fr-location-room', 'Teams puis retrait'), corpusBody('teams/html-fr-desktop').input);
    const view = await E.openExistingEvent(tb, 'Teams puis retrait');
    await tb.waitFor(E.switchOffered, [view], { what: 'Passer à Visio to be offered' });
    await tb.chrome(E.press, view, 'switch');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the Visio meeting' });
    const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
    await tb.chrome(E.press, view, 'remove');
    const cleared = await tb.waitFor<{ location: string }>(E.clearedFields, [view], { what: 'the Visio meeting to be removed' });
    expect(cleared.location).toBe('Salle 4.12');
    expect(await tb.chrome(E.buttons, view)).toEqual({ add: true, remove: false, join: false });
    expect((await tb.chrome<{ shown: boolean }>(E.switchState, view)).shown).toBe(false);
    await expect.poll(() => roomCodes(gateway), { timeout: 10_000 }).not.toContain(code);
    await E.discard(tb, view);
    await tb.chrome(E.deleteEvent, 'Teams puis retrait');
  });

  test('in an event editor tab: the Teams event switched and saved, X-MICROSOFT-* and the block gone', async () => {
    await tb.chrome(E.editInTab, true);
    try {
      await tb.chrome(E.addEventFromIcs, vevent('teams/ics-fr-location-room', 'Teams en onglet'), '');
      const view = await E.openExistingEvent(tb, 'Teams en onglet');
      const offered = await tb.waitFor<{ description: string }>(E.switchOffered, [view], { what: 'Passer à Visio in the tab' });
      expect(offered.description).toContain('teams.microsoft.com');
      await tb.chrome(E.press, view, 'switch');
      const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the Visio meeting in the tab' });
      const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
      await tb.chrome(E.accept, view);
      const ics = await tb.waitFor<string>(E.storedEventWithout, ['Teams en onglet', 'teams.microsoft.com'], { what: 'the switched event saved from the tab' });
      await tb.waitFor(E.noEditorTab, [], { what: 'the tab to close' });
      const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
      expect(prop(event, 'x-visio-room')).toBe(code);
      expect(prop(event, 'location')).toBe(`Salle 4.12 – ${INSTANCE}/${code}`);
      // The corpus's text block (DESCRIPTION of the ICS): the agent's lines stay.
      const description = prop(event, 'description') ?? '';
      expect(description).toMatch(/^Ordre du jour : budget\.\n/);
      expect(description).toContain('Merci.');
      for (const gone of ['X-MICROSOFT', 'Réunion Microsoft Teams', 'ps3JH7YK', '________']) expect(ics).not.toContain(gone);
      await tb.chrome(E.deleteEvent, 'Teams en onglet');
    } finally {
      await tb.chrome(E.editInTab, false);
    }
  });

  test('a weekly Zoom series: switched as one, saved; one room for the series, the Zoom link and block gone', async () => {
    await tb.chrome(E.addEventFromIcs, vevent('zoom/ics-fr-series', 'Point hebdo Zoom'), '');
    const before = await roomCodes(gateway);
    const view = await E.openExistingEvent(tb, 'Point hebdo Zoom');
    const offered = await tb.waitFor<{ location: string; description: string }>(E.switchOffered, [view], { what: 'Passer à Visio to be offered' });
    expect(offered.description).toContain('zoom.us');
    await tb.chrome(E.press, view, 'switch');
    const fields = await tb.waitFor<{ location: string; join: string }>(E.filledFields, [view], { what: 'the Visio meeting to replace the Zoom one' });
    const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
    const url = `${INSTANCE}/${code}`;
    expect(fields.location).toBe(`Salle 2 – ${url}`);
    expect((await tb.chrome<{ status: string }>(E.switchState, view)).status).toContain('L’ancienne réunion existe toujours sur Zoom');

    await tb.chrome(E.accept, view);
    const ics = await tb.waitFor<string>(E.storedEventWithout, ['Point hebdo Zoom', 'zoom.us'], { what: 'the switched series in the calendar' });
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    expect(String(event.getFirstPropertyValue('rrule'))).toContain('FREQ=WEEKLY');
    expect(prop(event, 'url')).toBe(url);
    expect(prop(event, 'conference')).toBe(url);
    expect(prop(event, 'x-visio-room')).toBe(code);
    const description = prop(event, 'description') ?? '';
    expect(description).toMatch(/^Point hebdomadaire\.\n/);
    expect(description).toContain(url);
    for (const gone of ['zoom.us', 'Participer à la réunion Zoom', '987 6543 2109', 'One tap mobile']) expect(ics).not.toContain(gone);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await roomCodes(gateway)).filter((c) => !before.includes(c))).toEqual([code]);
  });
  test('a Zoom series with a moved occurrence of its own (RECURRENCE-ID): the occurrence is switched too, with the series’ room', async () => {
    const movedText = corpusBody('zoom/text-fr').input;
    const movedLocation = 'Salle 5 – https://ucla.zoom.us/j/98765432109?pwd=UjJaZk1BZUZrRzNmWUlFYnFnZz09';
    await tb.chrome(E.addSeriesWithMovedOccurrence, vevent('zoom/ics-fr-series', 'Série Zoom déplacée'), movedLocation, movedText);
    const stored = await tb.waitFor<string[]>(E.storedExceptions, ['Série Zoom déplacée'], { what: 'the series and its moved occurrence in the calendar' });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toContain('zoom.us');
    const before = await roomCodes(gateway);
    const view = await E.openExistingEvent(tb, 'Série Zoom déplacée');
    await tb.waitFor(E.switchOffered, [view], { what: 'Passer à Visio to be offered' });
    await tb.chrome(E.press, view, 'switch');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the Visio meeting to replace the Zoom one' });
    const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
    const url = `${INSTANCE}/${code}`;
    await tb.chrome(E.accept, view);
    await tb.waitFor<string>(E.storedEventWithout, ['Série Zoom déplacée', 'zoom.us'], { what: 'the switched series in the calendar' });
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    const exceptions = await tb.waitFor<string[]>(E.storedExceptions, ['Série Zoom déplacée', 'zoom.us'], { what: 'the moved occurrence without Zoom' });
    expect(exceptions).toHaveLength(1);
    const parsed = new ICAL.Component(ICAL.parse(exceptions[0]!));
    const moved = parsed.name === 'vevent' ? parsed : parsed.getFirstSubcomponent('vevent')!;
    expect(prop(moved, 'recurrence-id')).not.toBeNull();
    expect(prop(moved, 'location')).toBe(`Salle 5 – ${url}`);
    expect(prop(moved, 'x-visio-room')).toBe(code);
    expect(prop(moved, 'conference')).toBe(url);
    const description = prop(moved, 'description') ?? '';
    expect(description).toContain('Voici le lien pour notre réunion.');
    expect(description).toContain('Cordialement,');
    expect(description).toContain(url);
    for (const gone of ['zoom.us', 'Participer à la réunion Zoom', 'One tap mobile']) expect(exceptions[0]).not.toContain(gone);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await roomCodes(gateway)).filter((c) => !before.includes(c))).toEqual([code]);
  });
});
