/**
 * Upcoming meetings in the popup, end to end: a real Radicale holds the agent's events, a real gateway reads
 * them (GET /v1/meetings/upcoming through the shared client, with the CalDAV account from the options page),
 * and the popup lists the one with a Visio link; its Join button opens that link.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { INSTANCE, startRig, type Rig } from './harness.ts';

const PASSWORD = 'alice-app-password';
let radicale: RadicaleServer;
let work: string;
let rig: Rig;

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

async function putEvent(summary: string, start: Date, extra: string[] = []): Promise<void> {
  const uid = randomUUID();
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Visio tests//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${stamp(new Date())}`,
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(new Date(start.getTime() + 1_800_000))}`,
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const response = await fetch(`${work}${uid}.ics`, { method: 'PUT', headers: { authorization: radicale.basic('alice'), 'content-type': 'text/calendar; charset=utf-8' }, body: ics });
  expect(response.status).toBe(201);
}

async function setAccount(account: { server: string; user: string; password: string }): Promise<void> {
  await rig.worker.evaluate(async (a) => {
    const g = globalThis as unknown as { chrome: { storage: { local: { set(v: unknown): Promise<void> } } } };
    await g.chrome.storage.local.set({ caldav: a });
  }, account);
}

beforeAll(async () => {
  radicale = await startRadicale({ alice: PASSWORD });
  work = await radicale.makeCalendar('alice', 'work', { displayName: 'Travail' });
  rig = await startRig({ gatewayEnv: { CALDAV_SERVERS: radicale.url, CALDAV_TIMEOUT_MS: '5000' } });
}, 60_000);

afterAll(async () => {
  await rig?.close();
  await radicale?.stop();
});

describe('upcoming meetings in the popup (real gateway and Radicale)', () => {
  it('lists the meeting with a Visio link and joins it in one click; the one without a link is left out', async () => {
    const link = `${INSTANCE}/xyz-abcd-efg`;
    await putEvent('Comité <Visio> & co', new Date(Date.now() + 3_600_000), [`LOCATION:${link}`]);
    await putEvent('Réunion sans lien', new Date(Date.now() + 2 * 3_600_000), ['LOCATION:Salle 3']);
    await setAccount({ server: '', user: 'alice', password: PASSWORD });

    const popup = await rig.page('popup.html');
    const list = popup.locator('#upcoming-list');
    await popup.getByRole('heading', { name: 'Prochaines réunions' }).waitFor();
    await expect.poll(() => list.locator('li').count(), { timeout: 15_000 }).toBe(1);
    const item = list.locator('li').first();
    expect(await item.textContent()).toContain('Comité <Visio> & co');
    const join = item.getByRole('link', { name: /Comité <Visio> & co/ });
    expect(await join.getAttribute('href')).toBe(link);
    const [tab] = await Promise.all([rig.browser.context.waitForEvent('page'), join.click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(link);
    await tab.close();
    expect(rig.foreign).toEqual([]);
  });

  it('a meeting without a title shows its room code whole, even when large text wraps the line', async () => {
    const code = 'iar-uobg-rfy';
    await putEvent('', new Date(Date.now() + 30 * 60_000), [`LOCATION:${INSTANCE}/${code}`]);
    await setAccount({ server: '', user: 'alice', password: PASSWORD });
    const popup = await rig.page('popup.html');
    const shown = popup.locator('#upcoming-list li .code').filter({ hasText: code });
    await shown.waitFor({ timeout: 15_000 });
    // The popup is 380 px wide: a large text setting is what makes the line wrap.
    await popup.evaluate(() => void (document.body.style.fontSize = '40px'));
    // The line does wrap at this width (so the check below can fail), but not inside the code.
    expect(await shown.evaluate((c) => (c.parentElement?.getBoundingClientRect().height ?? 0) > 1.5 * c.getBoundingClientRect().height)).toBe(true);
    expect(await shown.evaluate((c) => c.getClientRects().length)).toBe(1);
    await popup.close();
  });

  it('the options page checks the account through the gateway before keeping it, in memory unless remembered', async () => {
    const stored = () =>
      rig.worker.evaluate(async () => {
        const g = globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>> }; session: { get(k: string): Promise<Record<string, unknown>> } } } };
        return { local: (await g.chrome.storage.local.get('caldav')).caldav ?? null, session: (await g.chrome.storage.session.get('caldav')).caldav ?? null };
      });
    await setAccount({ server: '', user: '', password: '' });
    const options = await rig.page('options.html');
    await options.getByLabel('Identifiant').fill('alice');
    await options.getByLabel('Mot de passe d’application').fill('not-the-password');
    await options.getByRole('button', { name: 'Enregistrer' }).click();
    await options
      .getByRole('alert')
      .getByText(/serveur d’agenda a refusé/)
      .waitFor({ timeout: 15_000 });
    expect(await stored()).toEqual({ local: { server: '', user: '', password: '' }, session: null });

    await options.getByLabel('Mot de passe d’application').fill(PASSWORD);
    await options.getByRole('button', { name: 'Enregistrer' }).click();
    await options.getByText('Options enregistrées.', { exact: false }).first().waitFor({ timeout: 15_000 });
    expect(await stored()).toEqual({ local: null, session: { server: '', user: 'alice', password: PASSWORD } });

    await options.getByLabel(/Retenir le mot de passe/).check();
    await options.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(stored, { timeout: 10_000 }).toEqual({ local: { server: '', user: 'alice', password: PASSWORD }, session: null });
    await options.close();
  });

  it('says so when the calendar server refuses the CalDAV password', async () => {
    await setAccount({ server: radicale.url, user: 'alice', password: 'wrong' });
    const popup = await rig.page('popup.html');
    await popup.getByText(/serveur d’agenda a refusé/).waitFor({ timeout: 15_000 });
    expect(await popup.locator('#upcoming-list li').count()).toBe(0);
  });
});
