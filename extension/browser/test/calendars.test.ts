/**
 * Each calendar module on its fixture page (served at the calendar's real address through request
 * interception), with the extension loaded in Chromium and a real gateway behind it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { createRequire } from 'node:module';
import { corpusBody } from '@visio/testing/foreign-corpus';
import { join } from 'node:path';
import { gatewayRooms, PACKAGE_DIR, startRig, type Rig } from './harness.ts';

const SELF_HOSTED = {
  nextcloud: 'https://nextcloud.visio-test.example',
  sogo: 'https://sogo.visio-test.example',
  zimbra: 'https://zimbra.visio-test.example',
  roundcube: 'https://roundcube.visio-test.example',
} as const;

const CALENDARS = [
  // No Join here: Outlook's reading pane has no public source to build a fixture from. Its body editor
  // (RoosterJS) exports the invitation without the block's id, data-* and lang attributes: link and text stay,
  // and shared's finder still knows the block (shared/test/invitation.test.ts, on RoosterJS's captured export).
  { id: 'outlook', url: 'https://outlook.office.com/calendar/deeplink/compose', title: 'Revue de projet', rich: true, joins: [], unmarked: true },
  { id: 'google', url: 'https://calendar.google.com/calendar/u/0/r/eventedit', title: 'Comité de pilotage', rich: true, joins: ['abc-defg-hij'] },
  { id: 'nextcloud', url: `${SELF_HOSTED.nextcloud}/apps/calendar/timeGridWeek/now/new/popover/0/1/2`, title: 'Point hebdo', rich: false, joins: ['abc-defg-hij'] },
  { id: 'nextcloud', fixture: 'nextcloud-full.html', url: `${SELF_HOSTED.nextcloud}/apps/calendar/timeGridWeek/now/new/full/0/1/2`, title: 'Point hebdo', rich: false, joins: ['abc-defg-hij'] },
  { id: 'sogo', url: `${SELF_HOSTED.sogo}/SOGo/so/agent/Calendar/view`, title: 'Réunion de service', rich: false, joins: ['abc-defg-hij'], releasesUnsaved: true },
  { id: 'zimbra', url: `${SELF_HOSTED.zimbra}/#2`, title: 'Entretien', rich: true, joins: ['abc-defg-hij'] },
  { id: 'roundcube', url: `${SELF_HOSTED.roundcube}/?_task=calendar`, title: 'Séminaire', rich: false, joins: ['abc-defg-hij'] },
] as const;

let rig: Rig;
const pageErrors: string[] = [];

beforeAll(async () => {
  // The install-time grant of these test origins stands in for the agent's "Allow" on the browser's
  // permission prompt, which headless Chromium cannot show; the options page still asks and registers.
  rig = await startRig({
    manifestExtra: {
      host_permissions: [
        ...Object.values(SELF_HOSTED).map((o) => `${o}/*`),
        'https://outlook.office.com/*',
        'https://outlook.office365.com/*',
        'https://outlook.live.com/*',
        'https://calendar.google.com/*',
      ],
    },
  });
  for (const c of CALENDARS) rig.serve(c.url.split(/[?#]/)[0]!, 'fixture' in c ? c.fixture : `${c.id}.html`);
  // Outlook's compose body is a RoosterJS editor: the real one, from npm.
  rig.serve('https://outlook.office.com/visio-test/roosterjs/rooster-min.js', createRequire(import.meta.url).resolve('roosterjs/dist/rooster-min.js'));
  rig.browser.context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));

  const options = await rig.page('options.html');
  // Outlook and Google are off until turned on (nothing at install).
  expect(await options.getByLabel('Outlook (web)').isChecked()).toBe(false);
  expect(await options.getByLabel('Google Agenda').isChecked()).toBe(false);
  await options.getByLabel('Outlook (web)').check();
  await options.getByLabel('Google Agenda').check();
  await options.getByRole('button', { name: 'Enregistrer' }).click();
  await options.getByText('Options enregistrées.', { exact: false }).first().waitFor();
  for (const [kind, origin] of Object.entries(SELF_HOSTED)) {
    await options.getByLabel('Logiciel d’agenda').selectOption(kind);
    await options.getByLabel('Adresse de l’agenda').fill(`${origin}/`);
    await options.getByRole('button', { name: 'Autoriser et activer' }).click();
    await options.getByRole('listitem').filter({ hasText: origin }).waitFor();
  }
  await options.close();
});

afterAll(async () => {
  await rig?.close();
});

async function model(page: Page): Promise<{ model: Record<string, string>; errors: string[] }> {
  return page.evaluate(() => ({ model: (window as unknown as { model: Record<string, string> }).model, errors: (window as unknown as { errors: string[] }).errors }));
}

describe('calendar modules on their fixture pages', () => {
  it('registers calendars only where turned on and granted', async () => {
    const ids = await rig.worker.evaluate(async () => {
      const g = globalThis as unknown as { chrome: { scripting: { getRegisteredContentScripts(): Promise<{ id: string; matches: string[]; js: string[] }[]> } } };
      return (await g.chrome.scripting.getRegisteredContentScripts()).map((s) => `${s.js.join()} ${s.matches.join()}`).sort();
    });
    expect(ids).toEqual([
      'content/google.js https://calendar.google.com/*',
      'content/nextcloud.js https://nextcloud.visio-test.example/*',
      'content/outlook.js https://outlook.live.com/*,https://outlook.office.com/*,https://outlook.office365.com/*',
      'content/roundcube.js https://roundcube.visio-test.example/*',
      'content/sogo.js https://sogo.visio-test.example/*',
      'content/zimbra.js https://zimbra.visio-test.example/*',
    ]);
  });

  it('registrations asked for together run one after the other (no "Duplicate script ID")', async () => {
    const options = await rig.page('options.html');
    const results = await options.evaluate(async () => {
      const g = globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<string[]> } } };
      return Promise.all(
        [1, 2, 3, 4].map(() =>
          g.chrome.runtime.sendMessage({ type: 'calendars-changed' }).then(
            (ids) => ids.length,
            (e: Error) => e.message,
          ),
        ),
      );
    });
    await options.close();
    expect(results).toEqual([6, 6, 6, 6]);
  });

  for (const calendar of CALENDARS) {
    it(`${'fixture' in calendar ? calendar.fixture : calendar.id}: one "Add" button, link in the location, invitation in the description, once; Join next to links`, async () => {
      // Rooms of earlier pages may be released meanwhile (an editor closed unsaved): count what this page added.
      const before = new Set((await gatewayRooms(rig.gateway)).map((r) => r.code));
      const added = async () => (await gatewayRooms(rig.gateway)).filter((r) => !before.has(r.code));
      const page = await rig.page(calendar.url);
      const add = page.getByRole('button', { name: 'Ajouter une réunion Visio' });
      await add.waitFor();
      expect(await add.count()).toBe(1);

      await add.click();
      await page.getByText('Réunion Visio ajoutée : lien dans le lieu, invitation dans la description.').waitFor();
      const rooms = await added();
      expect(rooms).toHaveLength(1);
      const room = rooms[0]!;
      expect(room.title).toBe(calendar.title);

      // What the page's framework received through its input events.
      const { model: m, errors } = await model(page);
      expect(errors).toEqual([]);
      expect(m.location).toBe(room.url);
      expect(m.description).toContain(room.url);
      if (calendar.rich) {
        if (!('unmarked' in calendar)) expect(m.description).toContain('visio-meeting-block');
        expect(m.description).toContain(`href="${room.url}"`);
        if ('unmarked' in calendar) expect(m.description).toMatch(/Réunion Visio(&nbsp;| ): Revue de projet.*Rejoindre depuis un navigateur/s);
      } else {
        expect(m.description).toContain('-- Visio ---');
        expect(m.description).not.toContain('<');
      }
      if (calendar.id === 'nextcloud') expect(m.description?.startsWith('Ordre du jour')).toBe(true);
      // The button sits under the location's row, not inside Outlook's combobox wrapper.
      if (calendar.id === 'outlook') expect(await page.locator('#location-suggestions-picker-input').evaluate((el) => el.parentElement?.nextElementSibling?.hasAttribute('data-visio-add'))).toBe(true);
      // What Outlook's editor (RoosterJS) exports keeps the agenda that was there.
      if (calendar.id === 'outlook') expect(m.description).toContain('Ordre du jour : budget.');

      // A second click adds nothing.
      await add.click();
      await page.getByText('Cet événement a déjà une réunion Visio.').waitFor();
      expect(await added()).toHaveLength(1);

      // The page re-renders around the editor: still one button.
      await page.evaluate(() => document.body.append(Object.assign(document.createElement('div'), { textContent: 'rendu' })));
      await page.waitForTimeout(400);
      expect(await add.count()).toBe(1);

      // Join buttons: one per Visio link shown outside the editor, none for other sites.
      for (const code of calendar.joins) {
        const join = page.getByRole('link', { name: `Rejoindre la réunion Visio ${code}` });
        await join.waitFor();
        expect(await join.count()).toBe(1);
        expect(await join.getAttribute('href')).toBe(`https://visio.numerique.gouv.fr/${code}`);
      }
      expect(await page.getByRole('link', { name: /^Rejoindre la réunion Visio/ }).count()).toBe(calendar.joins.length);
      // Join inside an event block opens the room, never the calendar's own handler on the block.
      const [first] = calendar.joins;
      if (first) {
        const [tab] = await Promise.all([rig.browser.context.waitForEvent('page'), page.getByRole('link', { name: `Rejoindre la réunion Visio ${first}` }).click()]);
        await tab.close();
        expect(await page.evaluate(() => (window as unknown as { blockClicks?: number }).blockClicks ?? 0)).toBe(0);
      }
      await page.close();
      if ('releasesUnsaved' in calendar) {
        // The tab closed with the editor unsaved: the room goes back.
        await expect.poll(async () => (await gatewayRooms(rig.gateway)).some((r) => r.code === room.code), { timeout: 10_000 }).toBe(false);
      }
    });
  }

  for (const calendar of CALENDARS) {
    it(`${'fixture' in calendar ? calendar.fixture : calendar.id}: "Passer à Visio" appears for a pasted Zoom invitation, takes it out of both fields, adds the Visio room`, async () => {
      // The agent pastes a Zoom invitation (shared corpus, text) into the description and the Zoom link into the location.
      const { input } = corpusBody('zoom/text-fr');
      const zoomLink = 'https://ucla.zoom.us/j/98765432109?pwd=UjJaZk1BZUZrRzNmWUlFYnFnZz09';
      const before = new Set((await gatewayRooms(rig.gateway)).map((r) => r.code));
      const page = await rig.page(calendar.url);
      await page.getByRole('button', { name: 'Ajouter une réunion Visio' }).waitFor();
      const switchButton = page.getByRole('button', { name: /^Passer à Visio/ });
      expect(await switchButton.count()).toBe(0);
      await page.locator('[data-model="location"]').fill(`Salle 2, ${zoomLink}`);
      // Zimbra's notes are TinyMCE's iframe, Outlook's body is RoosterJS's editor: typed into as the agent does.
      const frame =
        calendar.id === 'zimbra'
          ? page.frameLocator('iframe[id$="_body_ifr"]').locator('body')
          : calendar.id === 'outlook'
            ? page.locator('[role="textbox"][contenteditable][data-ms-editor]')
            : page.locator('[data-model="description"]');
      await frame.fill(input);
      await switchButton.waitFor();
      expect(await switchButton.getAttribute('aria-label')).toBe('Passer à Visio (remplace la réunion Zoom)');
      await switchButton.click();
      await page.getByText('Réunion Zoom remplacée par Visio', { exact: false }).waitFor();
      const rooms = (await gatewayRooms(rig.gateway)).filter((r) => !before.has(r.code));
      expect(rooms).toHaveLength(1);
      const { model: m, errors } = await model(page);
      expect(errors).toEqual([]);
      expect(m.location).toBe(`Salle 2, ${rooms[0]!.url}`);
      expect(m.description).toContain(rooms[0]!.url);
      expect(m.description).not.toMatch(/zoom\.us|Participer à la réunion Zoom|One tap mobile/);
      for (const kept of ['Bonjour,', 'Voici le lien pour notre réunion.', 'Cordialement,']) expect(m.description).toContain(kept);
      await switchButton.waitFor({ state: 'detached' });
      await page.close();
    });
  }

  it('a calendar whose markup changed gets nothing and keeps working', async () => {
    rig.serve('https://outlook.office.com/calendar/redesign', 'changed.html');
    const page = await rig.page('https://outlook.office.com/calendar/redesign');
    await page.waitForTimeout(800);
    expect(await page.getByRole('button', { name: 'Ajouter une réunion Visio' }).count()).toBe(0);
    await page.locator('input[name="evt-where"]').fill('Salle 12');
    expect(await page.locator('#content').textContent()).toBe('Contenu de la page');
    expect((await model(page)).errors).toEqual([]);
    await page.close();
  });

  it('an open editor whose markup changed is reported: the options page says where, and when it last worked', async () => {
    rig.serve('https://calendar.google.com/calendar/u/1/r/eventedit', 'changed.html');
    const page = await rig.page('https://calendar.google.com/calendar/u/1/r/eventedit/abc');
    const options = await rig.page('options.html');
    const google = options.locator('#status-list li[data-calendar="google"]');
    await expect.poll(() => google.getAttribute('data-state'), { timeout: 10_000 }).toBe('missing');
    const text = await google.textContent();
    expect(text).toContain('Google Agenda : éditeur d’événement non reconnu sur https://calendar.google.com le ');
    expect(text).toContain('dernière fois reconnu le ');
    // The others worked on their pages.
    for (const id of ['outlook', 'nextcloud', 'sogo', 'zimbra', 'roundcube']) {
      expect(await options.locator(`#status-list li[data-calendar="${id}"]`).getAttribute('data-state')).toBe('working');
    }
    expect((await axeViolations(options)).map((v) => v.id)).toEqual([]);
    await options.locator('#status-list').screenshot({ path: join(PACKAGE_DIR, 'test-results', 'options-status.png') });
    await options.close();
    await page.close();
  });

  it('a calendar turned off in the options gets nothing', async () => {
    await rig.setSettings({ gatewayUrl: rig.gateway.url, lang: 'fr', calendars: { outlook: true, google: false }, selfHosted: [] });
    const page = await rig.page(CALENDARS[1].url);
    await page.waitForTimeout(800);
    expect(await page.getByRole('button', { name: 'Ajouter une réunion Visio' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Rejoindre la réunion Visio/ }).count()).toBe(0);
    await page.close();
  });

  it('made no request outside the gateway, the extension, the instance and the calendars', () => {
    expect(pageErrors).toEqual([]);
    expect(rig.foreign).toEqual([]);
  });
});
