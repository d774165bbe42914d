/**
 * Layout as an agent sees it: the Visio control sits on its own line under "Location" and never shrinks
 * the field, before and after Add and with an error showing, in the event dialog and in the event tab,
 * with Thunderbird in English and in French (Debian's language pack), on each supported ESR. Screenshots
 * of each state are written to test-results/thunderbird-layout/. In compose, an error is a notification:
 * the toolbar button keeps its label and "Send" its text.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { COMPOSE_BUTTON_ID, editorScripts as E, launchWithAddon } from './tb-scripts.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Layout {
  location: Box;
  row: Box;
  status: Box;
  statusText: string;
  windowWidth: number;
  label: string;
  linkRowShown: boolean;
}

const SHOTS = join(import.meta.dirname, '..', '..', '..', 'test-results', 'thunderbird-layout');

const cases = thunderbirdInstallations().flatMap((t) => (['en', 'fr'] as const).map((locale) => [t.major, locale, t] as const));

describe.each(cases)('Thunderbird %s in %s: the Location field keeps its box', (major, locale, installation) => {
  let gateway: GatewayProcess;
  let tb: Thunderbird;

  beforeAll(async () => {
    gateway = await startGatewayProcess();
    tb = await launchWithAddon(installation.executable, { gatewayUrl: gateway.url }, locale === 'fr' ? { langpack: { locale: 'fr', xpi: installation.frenchLangpack } } : {});
  }, 120_000);

  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
  });

  async function shot(view: string, name: string): Promise<void> {
    await E.saveScreenshot(tb, view, join(SHOTS, `tb${major}-${locale}-${name}.png`));
  }

  function expectSameField(after: Layout, before: Layout): void {
    // Same height, same right edge: nothing of the Visio control shares the field's line.
    expect(after.location.height).toBeCloseTo(before.location.height, 0);
    expect(after.location.x + after.location.width).toBeCloseTo(before.location.x + before.location.width, 0);
    // Same left edge too, unless Thunderbird's own "Related link" row (the event's URL) appeared: its label
    // widens the labels' column, by less than a label's difference.
    if (after.linkRowShown && !before.linkRowShown) expect(after.location.x - before.location.x).toBeLessThan(40);
    else expect(after.location.x).toBeCloseTo(before.location.x, 0);
    expect(after.location.width).toBeGreaterThan(before.location.width - 40);
    // On its own line under the field, inside the window.
    expect(after.row.y).toBeGreaterThanOrEqual(after.location.y + after.location.height - 0.5);
    expect(after.row.x + after.row.width).toBeLessThanOrEqual(after.windowWidth + 0.5);
    expect(after.status.x + after.status.width).toBeLessThanOrEqual(after.windowWidth + 0.5);
  }

  async function addAndMeasure(name: string): Promise<void> {
    const view = await E.openNewEvent(tb, `Mise en page ${name}`);
    const before = await tb.chrome<Layout>(E.layout, view);
    expect(before.label).toMatch(locale === 'fr' ? /^Lieu/ : /^Location/);
    expect(before.location.width).toBeGreaterThan(200);
    await shot(view, `${name}-before`);
    await tb.chrome(E.press, view, 'add');
    await tb.waitFor(E.filledFields, [view], { what: 'the fields to be filled' });
    const after = await tb.chrome<Layout>(E.layout, view);
    await shot(view, `${name}-added`);
    expect(after.statusText).not.toBe('');
    expectSameField(after, before);
    await E.discard(tb, view);
  }

  test('event dialog: before and after Add', async () => {
    await addAndMeasure('dialog');
  });

  test('event tab: before and after Add', async () => {
    await tb.chrome(E.editInTab, true);
    try {
      await addAndMeasure('tab');
    } finally {
      await tb.chrome(E.editInTab, false);
    }
  });

  test('with an error showing (gateway unreachable), in the dialog and in the tab', async () => {
    await gateway.stop();
    for (const inTab of [false, true]) {
      await tb.chrome(E.editInTab, inTab);
      const view = await E.openNewEvent(tb, `Erreur ${inTab ? 'onglet' : 'dialogue'}`);
      const before = await tb.chrome<Layout>(E.layout, view);
      await tb.chrome(E.press, view, 'add');
      const creating = locale === 'fr' ? 'Création de la réunion Visio…' : 'Creating the Visio meeting…';
      await tb.waitFor(E.settledEditor, [view, creating], { what: 'the error to show', timeoutMs: 30_000 });
      const after = await tb.chrome<Layout>(E.layout, view);
      expect(after.statusText.length).toBeGreaterThan(10);
      expectSameField(after, before);
      // The status wraps within the window instead of widening the row.
      expect(after.status.width).toBeLessThanOrEqual(after.windowWidth);
      await shot(view, `${inTab ? 'tab' : 'dialog'}-error`);
      await E.discard(tb, view);
    }
    await tb.chrome(E.editInTab, false);
  });

  test('compose with the gateway unreachable: a "!" badge, the button keeps its label and Send its text (the message goes to a notification)', async () => {
    await gateway.stop();
    await E.composeAndPress(tb, 'Erreur en rédaction');
    const toolbar = await tb.waitFor<{ label: string; badge: string; sendLabel: string; sendWidth: number }>(E.composeToolbarWithBadge, [COMPOSE_BUTTON_ID, '!'], {
      what: 'the error badge on the Insert button',
      timeoutMs: 30_000,
    });
    expect(toolbar.badge).toBe('!');
    expect(toolbar.label).toBe(locale === 'fr' ? 'Insérer une réunion Visio' : 'Insert Visio meeting');
    expect(toolbar.sendLabel).toBe(locale === 'fr' ? 'Envoyer' : 'Send');
    expect(toolbar.sendWidth).toBeGreaterThan(40);
    await tb.chrome(E.closeCompose);
  });
});
