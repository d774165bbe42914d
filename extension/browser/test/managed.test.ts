/**
 * The administrator's `enabledCalendars` and `autoAdd` (shared schema, @visio/shared/managed-settings) as
 * Chromium delivers them: a machine policy file in Chromium's own mount namespace
 * (@visio/testing/chromium-policies, the real /etc never written), the extension loaded unpacked with this
 * run's id, a real gateway behind it and the calendars' fixture pages served at their addresses.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { gatewayRooms, PACKAGE_DIR, startRig, waitUntil, type Rig } from './harness.ts';

const SOGO = 'https://sogo.visio-test.example';
const GOOGLE_EDITOR = 'https://calendar.google.com/calendar/u/0/r/eventedit';
const SOGO_EXISTING = `${SOGO}/SOGo/so/agent/Calendar/view`;
const SOGO_NEW = `${SOGO}/SOGo/so/agent/Calendar/new`;
const SOGO_ZOOM = `${SOGO}/SOGo/so/agent/Calendar/zoom`;
const MANAGED = { enabledCalendars: ['google', `sogo:${SOGO}`], autoAdd: true };

const policy = (values: Record<string, unknown>) => (id: string) => ({ 'visio-test.json': JSON.stringify({ '3rdparty': { extensions: { [id]: values } } }) });

type Chrome = { chrome: { scripting: { getRegisteredContentScripts(): Promise<{ js: string[]; matches: string[] }[]> } } };
const registered = (rig: Rig) =>
  rig.worker.evaluate(async () => (await (globalThis as unknown as Chrome).chrome.scripting.getRegisteredContentScripts()).map((s) => `${s.js.join()} ${s.matches.join()}`).sort());

/** An extension page (the options by default), with every permissions.request it makes recorded (the real call still runs). */
async function optionsPage(rig: Rig, path = 'options.html'): Promise<Page> {
  const page = await rig.browser.context.newPage();
  await page.addInitScript(() => {
    const permissions = (globalThis as unknown as { chrome: { permissions: { request(p: unknown, cb?: unknown): unknown } } }).chrome.permissions;
    const real = permissions.request.bind(permissions);
    const asked: unknown[] = [];
    (globalThis as unknown as { asked: unknown[] }).asked = asked;
    permissions.request = (p: unknown, cb?: unknown) => {
      asked.push(p);
      return real(p, cb);
    };
  });
  await page.goto(`${rig.origin}/${path}`);
  return page;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});
afterAll(async () => {
  await rig?.close();
});

describe('managed enabledCalendars and autoAdd', () => {
  it('shows the administrator’s calendars locked, invalid values as invalid, and one button asking for every missing site at once (fr, en; keyboard; axe)', async () => {
    rig = await startRig({ policies: policy({ ...MANAGED, instanceUrl: 'http://visio.example.org' }) });
    const page = await optionsPage(rig);
    const grant = page.getByRole('button', { name: 'Autoriser Visio sur les agendas choisis par votre administration' });
    await grant.waitFor({ timeout: 30_000 });
    // Locked: Google and SOGo on, Outlook off, none changeable; auto-add on and locked.
    expect(await page.getByLabel('Google Agenda').isChecked()).toBe(true);
    expect(await page.getByLabel('Google Agenda').isDisabled()).toBe(true);
    expect(await page.getByLabel('Outlook (web)').isChecked()).toBe(false);
    expect(await page.getByLabel('Outlook (web)').isDisabled()).toBe(true);
    const autoAdd = page.getByLabel('Ajouter automatiquement une réunion Visio aux nouveaux événements');
    expect(await autoAdd.isChecked()).toBe(true);
    expect(await autoAdd.isDisabled()).toBe(true);
    expect(await page.locator('#autoAdd-locked').isVisible()).toBe(true);
    expect(await page.getByText('Agendas choisis par votre administrateur : vous ne pouvez ni en ajouter ni en retirer.').filter({ visible: true }).count()).toBe(2);
    // The hosted list is the administrator's: no Remove, no adding.
    await page
      .getByRole('listitem')
      .filter({ hasText: `SOGo — ${SOGO}` })
      .waitFor();
    expect(await page.getByRole('button', { name: /^Retirer/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Autoriser et activer' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Adresse de l’agenda').isDisabled()).toBe(true);
    // The sites still to allow are named.
    expect(await page.locator('#managed-grant-text').innerText()).toBe(
      `Votre administration a activé Visio sur ces agendas : Google Agenda, SOGo (${SOGO}). Le navigateur doit vous demander une fois l’accès à ces sites.`,
    );
    // An invalid value: said, with what was received; the field stays the agent's.
    expect(await page.locator('#instanceUrl-invalid').innerText()).toBe('Valeur invalide reçue de votre administrateur, ignorée : « http://visio.example.org ». Signalez-le-lui.');
    expect(await page.getByLabel('Instance Visio').isDisabled()).toBe(false);
    expect(await page.getByLabel('Instance Visio').getAttribute('aria-describedby')).toContain('instanceUrl-invalid');
    expect(await axeViolations(page)).toEqual([]);
    mkdirSync(join(PACKAGE_DIR, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(PACKAGE_DIR, 'test-results', 'options-managed.png'), fullPage: true });
    // Nothing is granted yet: no calendar script.
    expect(await registered(rig)).toEqual([]);

    // Keyboard only: Tab reaches the button (disabled fields are skipped), Enter asks once for both sites.
    await page.locator('h1').click();
    await waitUntil(
      async () => {
        await page.keyboard.press('Tab');
        return page.evaluate(() => document.activeElement?.id);
      },
      (id) => id === 'managed-grant-button',
      'Tab to the grant button',
    );
    await page.keyboard.press('Enter');
    await page.getByText('Répondez à la demande d’autorisation du navigateur.').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { asked: unknown[] }).asked)).toEqual([{ origins: ['https://calendar.google.com/*', `${SOGO}/*`] }]);
    await page.close();

    // The popup offers the same one click.
    const popup = await optionsPage(rig, 'popup.html');
    const popupGrant = popup.getByRole('button', { name: 'Autoriser Visio sur les agendas choisis par votre administration' });
    await popupGrant.waitFor({ timeout: 30_000 });
    expect(await popup.locator('#managed-grant-text').innerText()).toContain('le navigateur doit vous demander une fois l’accès à ces sites');
    expect(await axeViolations(popup)).toEqual([]);
    await popupGrant.click();
    await waitUntil(
      () => popup.evaluate(() => (globalThis as unknown as { asked: unknown[] }).asked),
      (asked) => asked.length > 0,
      'popup asked',
    );
    expect(await popup.evaluate(() => (globalThis as unknown as { asked: unknown[] }).asked)).toEqual([{ origins: ['https://calendar.google.com/*', `${SOGO}/*`] }]);
    await popup.close();

    // English.
    await rig.setSettings({ gatewayUrl: rig.gateway.url, lang: 'en' });
    const en = await optionsPage(rig);
    await en.getByRole('button', { name: 'Allow Visio on the calendars chosen by your administration' }).waitFor({ timeout: 30_000 });
    expect(await en.getByLabel('Automatically add a Visio meeting to new events').isDisabled()).toBe(true);
    expect(await en.locator('#instanceUrl-invalid').innerText()).toBe('Invalid value received from your administrator, ignored: “http://visio.example.org”. Please tell them.');
    expect(await en.locator('#managed-grant-text').innerText()).toContain('The browser must ask you once for access to these sites.');
    expect(await axeViolations(en)).toEqual([]);
    await en.close();
  });

  it('once the sites are granted, the managed calendars run and a new event gets exactly one meeting, released when closed unsaved', async () => {
    // Granted at install: stands in for the agent's "Allow" on the browser's prompt, which headless Chromium
    // cannot show (the request itself is checked above).
    rig = await startRig({ policies: policy(MANAGED), manifestExtra: { host_permissions: ['https://calendar.google.com/*', `${SOGO}/*`] } });
    const r = rig;
    r.serve(GOOGLE_EDITOR, 'google.html');
    r.serve(SOGO_EXISTING, 'sogo.html');
    // The captured editor as SOGo opens it for a new event: the same dialog with its (required) title empty.
    r.serve(SOGO_NEW, 'sogo.html', (html) => html.replace('data-model="title" value="Réunion de service"', 'data-model="title" value=""'));
    // The same new event with a Zoom meeting pasted in its location: Passer à Visio stays the agent's choice.
    const zoom = 'https://ucla.zoom.us/j/98765432109?pwd=UjJaZk1BZUZrRzNmWUlFYnFnZz09';
    r.serve(SOGO_ZOOM, 'sogo.html', (html) =>
      html
        .replace('data-model="title" value="Réunion de service"', 'data-model="title" value=""')
        .replace('value="" ng-model="editor.component.location"', `value="${zoom}" ng-model="editor.component.location"`),
    );
    // The background registers the administrator's calendars as soon as the policy reaches it.
    await waitUntil(
      () => registered(r),
      (ids) => ids.length === 2,
      'managed calendars registered',
      60_000,
    );
    expect(await registered(r)).toEqual(['content/google.js https://calendar.google.com/*', `content/sogo.js ${SOGO}/*`]);
    const options = await optionsPage(r);
    await options.getByText('Visio est actif sur les agendas choisis par votre administration.').waitFor({ timeout: 30_000 });
    expect(await options.locator('#managed-grant').isHidden()).toBe(true);
    await options.close();
    const popup = await r.page('popup.html');
    await popup.locator('#auth-state').filter({ hasText: /./ }).waitFor({ timeout: 30_000 });
    expect(await popup.locator('#managed-grant').isHidden()).toBe(true);
    await popup.close();

    const before = new Set((await gatewayRooms(r.gateway)).map((room) => room.code));
    const added = async () => (await gatewayRooms(r.gateway)).filter((room) => !before.has(room.code));
    // Google: enabled by the list (its module has no save action known, so nothing is added by itself).
    const google = await r.page(GOOGLE_EDITOR);
    await google.getByRole('button', { name: 'Ajouter une réunion Visio' }).waitFor();
    // SOGo, an existing event (titled): the button, nothing added by itself.
    const existing = await r.page(SOGO_EXISTING);
    await existing.getByRole('button', { name: 'Ajouter une réunion Visio' }).waitFor();
    // A new event with a Zoom meeting: Passer à Visio is offered, nothing added by itself.
    const foreign = await r.page(SOGO_ZOOM);
    await foreign.getByRole('button', { name: 'Passer à Visio (remplace la réunion Zoom)' }).waitFor();

    // A new event: the meeting comes by itself, once.
    const fresh = await r.page(SOGO_NEW);
    await fresh.getByText('Réunion Visio ajoutée : lien dans le lieu, invitation dans la description.').waitFor();
    const rooms = await added();
    expect(rooms).toHaveLength(1);
    const { location, description } = await fresh.evaluate(() => (window as unknown as { model: { location: string; description: string } }).model);
    expect(location).toBe(rooms[0]!.url);
    expect(description).toContain(rooms[0]!.url);
    // The page re-renders around the editor: still one button, no second meeting.
    await fresh.evaluate(() => document.body.append(Object.assign(document.createElement('div'), { textContent: 'rendu' })));
    await fresh.getByText('rendu').waitFor();
    expect(await fresh.getByRole('button', { name: 'Ajouter une réunion Visio' }).count()).toBe(1);
    expect(await added()).toHaveLength(1);
    for (const page of [google, existing, foreign]) expect(await page.locator('[data-model="location"]').inputValue()).not.toContain('visio.numerique.gouv.fr');

    // Closed without saving: the room goes back to the gateway.
    await fresh.close();
    await waitUntil(
      () => gatewayRooms(r.gateway),
      (all) => !all.some((room) => room.code === rooms[0]!.code),
      'auto-added room released',
    );
    expect(await added()).toEqual([]);
    for (const page of [google, existing, foreign]) await page.close();
    expect(r.foreign).toEqual([]);
  });

  it('an invalid calendar list is shown as invalid and leaves the agent’s own choices usable; a value of the wrong type never reaches the extension (Chromium refuses it)', async () => {
    rig = await startRig({ policies: policy({ enabledCalendars: ['sogo:http://sogo.example.org'], autoAdd: 'oui', accessLevel: 'secret' }) });
    const page = await optionsPage(rig);
    const note = page.locator('#enabledCalendars-invalid');
    await waitUntil(
      () => note.innerText(),
      (text) => text.length > 0,
      'invalid calendar list shown',
      30_000,
    );
    expect(await note.innerText()).toBe('Valeur invalide reçue de votre administrateur, ignorée : « ["sogo:http://sogo.example.org"] ». Signalez-le-lui.');
    expect(await page.getByLabel('Google Agenda').isDisabled()).toBe(false);
    expect(await page.getByRole('button', { name: 'Autoriser et activer' }).isDisabled()).toBe(false);
    expect(await page.locator('#managed-grant').isHidden()).toBe(true);
    // Chromium checks each value against the extension's managed schema and drops a wrong type or a value
    // outside the enum (chrome://policy shows the error): managed storage holds only the calendar list.
    const managed = await rig.worker.evaluate(() =>
      (globalThis as unknown as { chrome: { storage: { managed: { get(k: null): Promise<Record<string, unknown>> } } } }).chrome.storage.managed.get(null),
    );
    expect(managed).toEqual({ enabledCalendars: ['sogo:http://sogo.example.org'] });
    expect(await page.locator('#autoAdd-invalid').isHidden()).toBe(true);
    expect(await page.locator('#accessLevel-invalid').isHidden()).toBe(true);
    expect(await page.getByLabel('Niveau d’accès par défaut des nouvelles réunions').isDisabled()).toBe(false);
    // The agent's own auto-add choice is kept.
    const autoAdd = page.getByLabel('Ajouter automatiquement une réunion Visio aux nouveaux événements');
    expect(await autoAdd.isDisabled()).toBe(false);
    await autoAdd.check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Options enregistrées.', { exact: false }).first().waitFor();
    const stored = await rig.worker.evaluate(
      async () => (await (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<{ settings: { autoAdd?: boolean } }> } } } }).chrome.storage.local.get('settings')).settings,
    );
    expect(stored.autoAdd).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // The administrator corrects the policy: the open page follows, without a reload.
    rig.writePolicy('visio-test.json', policy({ enabledCalendars: ['outlook'], autoAdd: false })(rig.id)['visio-test.json']!);
    await waitUntil(
      () => page.getByLabel('Outlook (web)').isDisabled(),
      (v) => v,
      'corrected policy shown',
      60_000,
    );
    expect(await page.getByLabel('Outlook (web)').isChecked()).toBe(true);
    expect(await page.getByLabel('Google Agenda').isChecked()).toBe(false);
    expect(await note.isHidden()).toBe(true);
    expect(await autoAdd.isChecked()).toBe(false);
    expect(await autoAdd.isDisabled()).toBe(true);
    await page.getByText('Votre administration a activé Visio sur ces agendas : Outlook (web).', { exact: false }).waitFor();
    await page.close();
  });
});
