/** The toolbar popup in Chromium against a real gateway: create, copy, join, e-mail, .ics, recent rooms. */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayRooms, INSTANCE, PACKAGE_DIR, startRig, type Rig } from './harness.ts';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

const LINK = new RegExp(`^${INSTANCE.replace(/\./g, '\\.')}/[a-z]{3}-[a-z]{4}-[a-z]{3}$`);

describe('popup in Chromium', () => {
  it('creates a room through the gateway and offers copy, join, e-mail and .ics', async () => {
    const page = await rig.page('popup.html');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByText('Mode local de la passerelle : aucune connexion nécessaire.').waitFor();
    await page.getByLabel('Titre (facultatif)').fill('Point <équipe> & co');
    await page.getByRole('button', { name: 'Nouvelle réunion Visio' }).click();
    await page.getByRole('heading', { name: 'Votre réunion est prête' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-heading');
    const url = (await page.getByRole('link', { name: /^Lien de la réunion : / }).textContent())!;
    expect(url).toMatch(LINK);
    const code = url.split('/').pop()!;

    const rooms = await gatewayRooms(rig.gateway);
    expect(rooms.map((r) => r.url)).toEqual([url]);
    expect(rooms[0]!.title).toBe('Point <équipe> & co');

    await page.getByRole('button', { name: 'Copier le lien' }).click();
    await page.getByText('Lien copié dans le presse-papiers.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    // Share: the mail carries the gateway's invitation text.
    const share = page.getByRole('link', { name: 'Partager par e-mail' });
    await expect.poll(() => share.getAttribute('href'), { timeout: 10_000 }).toContain('body=');
    const mailto = new URL((await share.getAttribute('href'))!);
    expect(mailto.protocol).toBe('mailto:');
    expect(mailto.searchParams.get('subject')).toContain('Point <équipe> & co');
    expect(mailto.searchParams.get('body')).toContain(url);
    expect(mailto.searchParams.get('body')).toContain('-- Visio ---');

    const [tab] = await Promise.all([rig.browser.context.waitForEvent('page'), page.getByRole('link', { name: 'Rejoindre', exact: true }).click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(url);
    await tab.close();

    // The room code is one unbroken line box, wherever the URL wraps.
    expect(await page.locator('#link .code').evaluate((c) => [c.textContent, c.getClientRects().length])).toEqual([code, 1]);

    // The .ics starts when the agent says (default: the next quarter hour).
    const start = page.getByLabel('Début de la réunion (.ics, une heure)');
    expect(await start.inputValue()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:(00|15|30|45)$/);
    const day = new Date(Date.now() + 2 * 86_400_000);
    const ymd = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    await start.fill(`${ymd}T14:30`);
    await page.screenshot({ path: join(PACKAGE_DIR, 'test-results', 'popup-result.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le .ics' }).click()]);
    const ics = readFileSync((await download.path())!, 'utf8');
    expect(ics.replace(/\r\n[ \t]/g, '')).toMatch(new RegExp(`DTSTART[^:\\r\\n]*:${ymd.replace(/-/g, '')}T143000`));
    expect(download.suggestedFilename()).toBe(`visio-${code}.ics`);
    expect(ics).toContain('METHOD:PUBLISH'); // no attendees: a file to import (RFC 5546)
    expect(ics).toContain(`X-VISIO-ROOM:${code}`);
    await page.getByText('Invitation .ics téléchargée.').waitFor();
    // The .ics reused the room.
    expect(await gatewayRooms(rig.gateway)).toHaveLength(1);

    // Recent rooms list it, with Join and Delete.
    const item = page.getByRole('listitem').filter({ hasText: code });
    await item.waitFor();
    expect(await item.getByRole('link', { name: `Rejoindre la réunion ${code}` }).getAttribute('href')).toBe(url);
    await item.getByRole('button', { name: `Supprimer la réunion ${code}` }).click();
    await page.getByText(`Réunion ${code} supprimée.`).waitFor();
    expect(await gatewayRooms(rig.gateway)).toHaveLength(0);
    await page.getByText('Aucune réunion récente.').waitFor();
    expect(await page.locator('#result').isHidden()).toBe(true);
    // No CalDAV account in the options: the section stays hidden.
    expect(await page.locator('#upcoming').isHidden()).toBe(true);
    await page.close();
    expect(rig.foreign).toEqual([]);
  });

  it('works from the keyboard alone and in English', async () => {
    await rig.setSettings({ gatewayUrl: rig.gateway.url, lang: 'en' });
    const page = await rig.page('popup.html');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByText('Gateway in local mode: no sign-in needed.').waitFor();
    await page.getByLabel('Title (optional)').focus();
    await page.keyboard.type('Weekly');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your meeting is ready' }).waitFor();
    await page.keyboard.press('Tab'); // the link
    await page.keyboard.press('Tab'); // Copy
    await page.keyboard.press('Enter');
    await page.getByText('Link copied to the clipboard.').waitFor();
    const rooms = await gatewayRooms(rig.gateway);
    expect(rooms[0]!.title).toBe('Weekly');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(rooms[0]!.url);
    await page.close();
    await rig.setSettings({ gatewayUrl: rig.gateway.url, lang: 'fr' });
  });

  it('says in plain words when the gateway cannot be reached, and creates nothing', async () => {
    await rig.setSettings({ gatewayUrl: 'http://127.0.0.1:9', lang: 'fr' });
    const before = (await gatewayRooms(rig.gateway)).length;
    const page = await rig.page('popup.html');
    await page.getByRole('button', { name: 'Nouvelle réunion Visio' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toBe('Impossible de joindre le service Visio. Vérifiez votre connexion et réessayez.');
    expect(await page.locator('#result').isHidden()).toBe(true);
    // The state line says where to fix it, with a link to the options.
    await expect.poll(() => page.locator('#auth-state').textContent(), { timeout: 10_000 }).toBe('Indiquez l’adresse de la passerelle Visio dans les options.');
    expect(await page.locator('#auth-state').getByRole('link', { name: 'options' }).getAttribute('href')).toBe('options.html');
    expect(await gatewayRooms(rig.gateway)).toHaveLength(before);
    await page.close();
    await rig.setSettings({ gatewayUrl: rig.gateway.url, lang: 'fr' });
  });
});
