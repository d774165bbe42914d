/** The gateway's own page in real Chromium: create, copy, join, download the .ics; accessible; no third party. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';

let gateway: GatewayProcess;
let browser: Chromium;
const requests: string[] = [];

beforeAll(async () => {
  gateway = await startGatewayProcess({ LOG_LEVEL: 'warn' });
  browser = await launchChromium({ clipboard: true });
  browser.context.on('request', (r) => requests.push(r.url()));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe('gateway page in Chromium', () => {
  it('creates a room, copies the link, offers Join and downloads the .ics', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByLabel('Titre de la réunion (facultatif)').fill('Point <équipe>');
    await page.getByRole('button', { name: 'Créer une réunion' }).click();

    const heading = page.getByRole('heading', { name: 'Votre réunion est prête' });
    await heading.waitFor();
    // Focus moves to the result so screen readers announce it.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-heading');
    const url = (await page.locator('#link').textContent())!;
    expect(url).toMatch(/^https:\/\/visio\.numerique\.gouv\.fr\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(await page.getByRole('link', { name: /Rejoindre la réunion/ }).getAttribute('href')).toBe(url);

    await page.getByRole('button', { name: 'Copier le lien' }).click();
    await page.getByText('Lien copié dans le presse-papiers.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Télécharger l’invitation/ }).click()]);
    const ics = readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toBe(`visio-${url.split('/').pop()}.ics`);
    expect(ics).toContain('METHOD:PUBLISH'); // no attendees: a file to import (RFC 5546)
    expect(ics).toContain(`X-VISIO-ROOM:${url.split('/').pop()}`);
    expect(ics).toContain('SUMMARY:Point <équipe>');

    // Exactly one room: the .ics reused it.
    const rooms = (await (await fetch(`${gateway.url}/v1/rooms`)).json()) as { items: unknown[] };
    expect(rooms.items).toHaveLength(1);
    await page.close();
  });

  it('is keyboard operable: Tab reaches the field and the button, Enter creates', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/?lang=en`);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab'); // language switch
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('title');
    await page.keyboard.type('Weekly');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your meeting is ready' }).waitFor();
    await page.close();
  });

  it('shows a readable error when the gateway refuses', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/`);
    // 300 characters: the field allows 255, so force the value past the limit as a script could.
    await page.evaluate(() => {
      const input = document.getElementById('title') as HTMLInputElement;
      input.removeAttribute('maxlength');
      input.value = 'x'.repeat(300);
    });
    await page.getByRole('button', { name: 'Créer une réunion' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^La demande est invalide : title/);
    await page.close();
  });

  for (const lang of ['fr', 'en'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`has no WCAG 2.1 AA violation (${lang}, ${scheme}), before and after creating a room`, async () => {
        const page = await browser.context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${gateway.url}/?lang=${lang}`);
        expect(await axeViolations(page)).toEqual([]);
        await page.locator('#create-button').click();
        await page.locator('#result').waitFor();
        expect(await axeViolations(page)).toEqual([]);
        await page.close();
      });
    }
  }

  it('made no request outside the gateway', () => {
    const origins = new Set(requests.map((r) => new URL(r).origin));
    expect([...origins]).toEqual([gateway.url]);
  });
});
