/** The "Passer à Visio" page in real Chromium on Radicale: keyboard only, screen-reader names, zero axe violations. */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { davGet, davPut, eventIcs } from './caldav-helpers.ts';
import { teamsProperties, zoomProperties } from './switch-fixtures.ts';

const ME = 'alice@example.test';
const PASSWORD = `app-${randomUUID()}`;
let radicale: RadicaleServer;
let gateway: GatewayProcess;
let browser: Chromium;
let work: string;
const requests: string[] = [];
const hrefs: Record<string, string> = {};

beforeAll(async () => {
  radicale = await startRadicale({ alice: PASSWORD });
  work = await radicale.makeCalendar('alice', 'work', { displayName: 'Travail' });
  const soon = (h: number) => new Date(Date.now() + h * 3_600_000);
  const events: [string, string][] = [
    ['teams', eventIcs(randomUUID(), { summary: 'Comité de pilotage', start: soon(4), ...teamsProperties(), organizer: ME, attendees: ['bob@example.test'] })],
    ['zoom', eventIcs(randomUUID(), { summary: 'Point hebdo', start: soon(28), ...zoomProperties(), rrule: 'FREQ=WEEKLY;COUNT=6' })],
    ['zoom-unticked', eventIcs(randomUUID(), { summary: 'Atelier', start: soon(50), ...zoomProperties() })],
    ['theirs', eventIcs(randomUUID(), { summary: 'Réunion du réseau', start: soon(8), ...teamsProperties(), organizer: 'bob@example.test', attendees: [ME] })],
  ];
  for (const [name, ics] of events) {
    hrefs[name] = `${work}${randomUUID()}.ics`;
    expect(await davPut(hrefs[name]!, radicale.basic('alice'), ics)).toBe(201);
  }
  gateway = await startGatewayProcess({ LOG_LEVEL: 'warn', CALDAV_SERVERS: radicale.url, VISIO_LOCAL_USER_EMAIL: ME });
  browser = await launchChromium();
  browser.context.on('request', (r) => requests.push(r.url()));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await radicale?.stop();
});

describe('"Passer à Visio" page in Chromium', () => {
  it('finds the meetings, converts the ticked ones with the keyboard alone, and reports', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/switch`);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await axeViolations(page)).toEqual([]);

    // Keyboard only: skip link, home link, language, then the form.
    for (let k = 0; k < 4; k++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('server');
    await page.keyboard.press('Tab');
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');

    const planHeading = page.getByRole('heading', { name: 'Réunions trouvées' });
    await planHeading.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('plan-heading');
    expect(await page.locator('#plan-summary').textContent()).toBe('3 réunion(s) que vous organisez, 1 organisée(s) par d’autres personnes.');
    // Each checkbox is named by its meeting, for screen readers.
    for (const name of ['Comité de pilotage', 'Point hebdo', 'Atelier']) expect(await page.getByRole('checkbox', { name }).isChecked()).toBe(true);
    expect(await page.locator('#theirs li').textContent()).toContain('demandez à l’organisateur');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(tmpdir(), 'visio-switch-plan.png'), fullPage: true });

    // Untick "Atelier" with Space, then reach the button and press Enter.
    await page.getByRole('checkbox', { name: 'Atelier' }).focus();
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox', { name: 'Atelier' }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Passer à Visio' }).focus();
    await page.keyboard.press('Enter');

    const report = page.getByRole('heading', { name: 'Rapport' });
    await report.waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('report-heading');
    expect(await page.locator('#report-done').textContent()).toBe('Terminé : 2 réunion(s) passée(s) sur Visio, 0 en échec.');
    expect(await page.locator('#report-attendees').textContent()).toContain('prévenez les participants');
    const rows = await page.locator('#report-items tr').allTextContents();
    expect(rows).toEqual(expect.arrayContaining([expect.stringContaining('Passée sur Visio'), expect.stringContaining('Non cochée'), expect.stringContaining('Demandez à l’organisateur')]));
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(tmpdir(), 'visio-switch-report.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le rapport (CSV)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^visio-migration-.*\.csv$/);

    // On the server: ticked events are on Visio, the others untouched.
    const data = async (name: string) => (await davGet(hrefs[name]!, radicale.basic('alice'))).data;
    expect(await data('teams')).toContain('X-VISIO-ROOM');
    expect(await data('zoom')).toContain('X-VISIO-ROOM');
    expect(await data('zoom-unticked')).toContain('zoom.us');
    expect(await data('theirs')).toContain('teams.microsoft.com');
    await page.close();
  });

  it('in English, says what is missing and has no axe violation', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/switch?lang=en`);
    await page.getByRole('button', { name: 'Find meetings' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Enter your user name.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('user');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Application password').fill('wrong');
    await page.getByRole('button', { name: 'Find meetings' }).click();
    await page.getByText('Your calendar server refused the user name or application password.').waitFor();
    await page.close();
  });

  it('made no request outside the gateway', () => {
    expect([...new Set(requests.map((r) => new URL(r).origin))]).toEqual([gateway.url]);
  });
});
