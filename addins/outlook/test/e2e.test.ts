/**
 * End to end in Chromium: the built function file, task pane and dialog pages load from the real gateway
 * process, against the Office double injected in place of office.js. Only Outlook itself is a double.
 */
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasInvitation, removeInvitationHtml } from '@visio/shared/invitation';
import { findVisioLinks } from '@visio/shared/links';
import { axeViolations } from '@visio/testing/axe';
import { corpusBody } from '@visio/testing/foreign-corpus';
import { invoke, startHarness, state, type Harness } from './browser-harness.ts';
import { INSTANCE, LOCATION_PLACES, OWA_HTML } from './fixtures.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const appointment = { itemType: 'appointment', mode: 'compose', bodyType: 'html', body: OWA_HTML, location: LOCATION_PLACES, subject: 'Comité' } as const;

describe('gateway serves the add-in', () => {
  it('serves one classic command script with its own absolute URL, and pages Outlook may frame', async () => {
    const js = await (await fetch(`${h.gateway.url}/outlook/commands.js`)).text();
    expect(js).toContain(JSON.stringify(h.gateway.url));
    expect(js).not.toContain('__VISIO_PUBLIC_URL__');
    // A classic script: it compiles as one (a static import would not), and loads nothing at run time. (A text
    // search for "import" also hits the words of Zoom's invitation that foreign-meetings recognises.)
    expect(() => new Script(js)).not.toThrow();
    expect(js).not.toMatch(/\bimport\(/);
    const page = await fetch(`${h.gateway.url}/outlook/taskpane.html`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors');
    expect(csp).toContain('https://outlook.office.com');
    expect(csp).toContain("script-src 'self';");
    expect(page.headers.get('x-frame-options')).toBeNull();
    // Everything else keeps the gateway's policy: no framing at all.
    const api = await fetch(`${h.gateway.url}/v1/config`);
    expect(api.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const office = await fetch(`${h.gateway.url}/outlook/office/outlook-web-16.01.js`);
    expect(office.status).toBe(200);
    expect((await fetch(`${h.gateway.url}/outlook/office/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${h.gateway.url}/outlook/icons/icon-80.png`)).headers.get('content-type')).toBe('image/png');
    const xml = await (await fetch(`${h.gateway.url}/outlook/manifest.xml`)).text();
    expect(xml).toContain(`<bt:Url id="Commands.Url" DefaultValue="${h.gateway.url}/outlook/commands.html"/>`);
    const json = (await (await fetch(`${h.gateway.url}/outlook/manifest.json`)).json()) as { validDomains: string[] };
    expect(json.validDomains).toEqual([new URL(h.gateway.url).host]);
  });
});

describe('commands in Chromium', () => {
  it('add, add again, remove: one room, then no debris', async () => {
    const page = await h.open('/outlook/commands.html', appointment);
    const added = await invoke(page, 'addVisioMeeting');
    const links = findVisioLinks(added.body, INSTANCE);
    expect(links).toHaveLength(1);
    expect(added.location).toBe(`${LOCATION_PLACES}; ${links[0]!.url}`);
    expect(added.notifications.at(-1)).toMatchObject({ type: 'informationalMessage', message: expect.stringContaining('Réunion Visio ajoutée') });
    const again = await invoke(page, 'addVisioMeeting');
    expect(findVisioLinks(again.body, INSTANCE).map((l) => l.code)).toEqual([links[0]!.code]);
    expect(again.location).toBe(added.location);
    const rooms = (await (await fetch(`${h.gateway.url}/v1/rooms`)).json()) as { items: { code: string; eventUid?: string }[] };
    expect(rooms.items.filter((r) => r.code === links[0]!.code)).toHaveLength(1);
    const removed = await invoke(page, 'removeVisioMeeting');
    expect(removed.body).toBe(OWA_HTML);
    expect(removed.location).toBe(LOCATION_PLACES);
    expect(removed.customProperties).toEqual({});
    // Released: ended on the gateway (its link says so), gone from the open rooms.
    expect(await (await fetch(`${h.gateway.url}/v1/rooms/${links[0]!.code}`)).json()).toMatchObject({ state: 'ended' });
    expect(((await (await fetch(`${h.gateway.url}/v1/rooms`)).json()) as { items: { code: string }[] }).items.map((r) => r.code)).not.toContain(links[0]!.code);
    await page.close();
  });

  it('inserts the block at the cursor of a message', async () => {
    const body = '<p>Bonjour,</p><p>Signature</p>';
    const page = await h.open('/outlook/commands.html', { itemType: 'message', mode: 'compose', bodyType: 'html', body, subject: 'Échange', cursor: body.indexOf('<p>Signature') });
    const after = await invoke(page, 'insertVisioLink');
    expect(hasInvitation(after.body)).toBe(true);
    expect(removeInvitationHtml(after.body)).toBe(body);
    expect(after.body.indexOf('visio-meeting-block')).toBeLessThan(after.body.indexOf('Signature'));
    await page.close();
  });

  const invitation = { itemType: 'appointment', mode: 'read', body: `<p>Voir <a href="${INSTANCE}/abc-defg-hij">le lien</a></p>`, location: 'Salle 3' } as const;

  it('joins from a received invitation in classic Outlook on Windows (openBrowserWindow)', async () => {
    const page = await h.open('/outlook/commands.html', { ...invitation, platform: 'PC' });
    const after = await invoke(page, 'joinVisioMeeting');
    expect(after.opened).toEqual([`${INSTANCE}/abc-defg-hij`]);
    expect(after.dialogs).toEqual([]);
    await page.close();
  });

  it('joins in Outlook on the web, which has no openBrowserWindow: an Office dialog on the gateway goes on to the meeting', async () => {
    const page = await h.open('/outlook/commands.html', invitation);
    // The meeting itself is Visio's: answered here so that nothing leaves the machine.
    await h.context.route(`${INSTANCE}/abc-defg-hij`, (route) => route.fulfill({ body: '<title>Visio</title>', contentType: 'text/html' }));
    const [popup, after] = await Promise.all([h.context.waitForEvent('page'), invoke(page, 'joinVisioMeeting')]);
    await popup.waitForURL(`${INSTANCE}/abc-defg-hij`);
    expect(after.opened).toEqual([]);
    expect(after.dialogs.map((d) => d.url)).toEqual([`${h.gateway.url}/outlook/join?url=${encodeURIComponent(`${INSTANCE}/abc-defg-hij`)}`]);
    expect(after.notifications.at(-1)).toMatchObject({ type: 'informationalMessage', message: 'Ouverture de la réunion Visio…' });
    await popup.close();
    await h.context.unroute(`${INSTANCE}/abc-defg-hij`);
    // The agent ignores Office's prompt: a sentence, no pop-up.
    const ignored = await h.open('/outlook/commands.html', { ...invitation, dialogPrompt: 'ignore' });
    const refused = await invoke(ignored, 'joinVisioMeeting');
    expect(refused.notifications.at(-1)).toMatchObject({ type: 'errorMessage', message: expect.stringContaining('La fenêtre n’a pas pu s’ouvrir') });
    // Office opens a dialog only on the add-in's own domain: the meeting link itself would be refused (12004).
    await ignored.evaluate(
      () =>
        new Promise<void>((resolve) =>
          (window as unknown as { Office: typeof Office }).Office.context.ui.displayDialogAsync('https://visio.numerique.gouv.fr/abc-defg-hij', {}, (r) => {
            (window as unknown as { __direct: unknown }).__direct = r.error?.code;
            resolve();
          }),
        ),
    );
    expect(await ignored.evaluate(() => (window as unknown as { __direct: unknown }).__direct)).toBe(12004);
    // The gateway follows only Visio links of its instance.
    for (const url of ['https://evil.example/abc-defg-hij', `${INSTANCE}/abc-defg-hij/../x`, ''])
      expect((await fetch(`${h.gateway.url}/outlook/join?url=${encodeURIComponent(url)}`, { redirect: 'manual' })).status).toBe(400);
    await ignored.close();
    await page.close();
  });

  it('adds a room to a new appointment when opted in (event-based activation)', async () => {
    const page = await h.open('/outlook/commands.html', { ...appointment, body: '', location: '', roamingSettings: { autoAdd: true } });
    const after = await invoke(page, 'onNewAppointmentOrganizer');
    expect(hasInvitation(after.body)).toBe(true);
    expect(after.location).toMatch(/^https:\/\/visio\.numerique\.gouv\.fr\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    await page.close();
  });

  it('asks nothing of any server but the gateway (and the meeting the agent joined)', () => {
    const outside = h.requests.filter((u) => !u.startsWith(`${h.gateway.url}/`) && u !== `${INSTANCE}/abc-defg-hij`);
    expect(outside).toEqual([]);
  });
});

// Sign-in against a real OpenID provider and the gateway in OIDC mode: signin.e2e.test.ts.
describe('task pane and sign-in dialog', () => {
  it('shows what the item holds, runs the commands, saves settings, and is accessible', async () => {
    const page = await h.open('/outlook/taskpane.html', appointment);
    await page.getByText('Cet élément ne contient pas de réunion Visio.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Ajouter une réunion Visio' }).click();
    await page.getByText('Cet élément contient une réunion Visio :').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Réunion Visio ajoutée');
    const link = await page.locator('#item-link').getAttribute('href');
    expect((await state(page)).location).toBe(`${LOCATION_PLACES}; ${link}`);
    await page.getByRole('button', { name: 'Retirer la réunion Visio' }).click();
    await page.getByText('Cet élément ne contient pas de réunion Visio.').waitFor();
    expect((await state(page)).body).toBe(OWA_HTML);

    await page.getByLabel('Accès aux nouvelles réunions').selectOption('restricted');
    await page.getByLabel('Ajouter Visio à chaque nouvelle réunion').check();
    await page.getByLabel('Langue').selectOption('en');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect((await state(page)).roamingSettings).toEqual({ accessLevel: 'restricted', autoAdd: true, lang: 'en' });
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('pinned, follows the item the agent selects (ItemChanged)', async () => {
    const page = await h.open('/outlook/taskpane.html', { ...appointment, pinned: true });
    await page.getByText('Cet élément ne contient pas de réunion Visio.').waitFor();
    await page.evaluate((next) => (window as unknown as { __officeDouble: { selectItem(s: unknown): void } }).__officeDouble.selectItem(next), {
      itemType: 'appointment',
      mode: 'read',
      body: `<p><a href="${INSTANCE}/abc-defg-hij">Rejoindre</a></p>`,
      location: 'Salle 3',
    });
    await page.getByText('Cet élément contient une réunion Visio :').waitFor();
    expect(await page.locator('#item-link').getAttribute('href')).toBe(`${INSTANCE}/abc-defg-hij`);
    expect(await page.getByRole('button', { name: 'Ajouter une réunion Visio' }).isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Rejoindre Visio' }).isVisible()).toBe(true);
    await page.close();
  });

  it('Passer à Visio, keyboard only, in French and English: offered for a Teams item, the Teams block replaced by the Visio one', async () => {
    for (const [lang, name, label, found, done] of [
      ['fr-FR', 'teams/html-fr-desktop', 'Passer à Visio', 'Cet élément contient une réunion Microsoft Teams', 'Passé de Microsoft Teams à Visio'],
      ['en-US', 'teams/html-en-owa', 'Switch to Visio', 'This item holds a Microsoft Teams meeting', 'Moved from Microsoft Teams to Visio'],
    ] as const) {
      const { input, expected } = corpusBody(name);
      const page = await h.open('/outlook/taskpane.html', { ...appointment, body: input, location: 'Salle 4.12; Réunion Microsoft Teams', displayLanguage: lang });
      await page.getByText(found).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      const button = page.getByRole('button', { name: label });
      // Tab from the top of the page reaches the button (no pointer): its order is the page's.
      await page.locator('body').focus();
      for (let i = 0; i < 10 && !(await button.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab');
      expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(done).waitFor();
      await button.waitFor({ state: 'hidden' });
      const after = await state(page);
      expect(removeInvitationHtml(after.body)).toBe(expected);
      const links = findVisioLinks(after.body, INSTANCE);
      expect(links).toHaveLength(1);
      expect(after.location).toBe(`Salle 4.12; ${links[0]!.url}`);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }
  });

  it('the ribbon command switchToVisio runs from the function file', async () => {
    const { input, expected } = corpusBody('zoom/html-fr-desktop');
    const page = await h.open('/outlook/commands.html', { ...appointment, body: input, location: 'https://us06web.zoom.us/j/81234567890?pwd=x' });
    const after = await invoke(page, 'switchToVisio');
    expect(removeInvitationHtml(after.body)).toBe(expected);
    expect(after.location).toBe(findVisioLinks(after.body, INSTANCE)[0]!.url);
    expect(after.notifications.at(-1)).toMatchObject({ type: 'informationalMessage', message: expect.stringContaining('Passé de Zoom à Visio') });
    await page.close();
  });

  it('follows Office’s display language', async () => {
    const page = await h.open('/outlook/taskpane.html', { ...appointment, displayLanguage: 'en-US' });
    await page.getByText('This item holds no Visio meeting.').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.close();
  });

  it('the dialog page is accessible', async () => {
    const page = await h.open('/outlook/auth-callback.html?error=access_denied&state=x', appointment);
    await page.getByText('La connexion a échoué').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
