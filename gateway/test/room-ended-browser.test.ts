/** An ended room's link in real Chromium, as an invitee opens it: the page says the meeting has ended. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { startLiveKitDouble, type LiveKitDouble } from '@visio/testing/livekit-double';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.ts';

let lk: LiveKitDouble;
let gw: TestGateway;
const browsers: Chromium[] = [];

beforeAll(async () => {
  lk = await startLiveKitDouble();
  gw = await startTestGateway({
    VISIO_PROVIDER: 'livekit',
    LIVEKIT_URL: lk.url.replace(/^http/, 'ws'),
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_MEET_URL: 'https://meet.example.gouv.fr',
  });
}, 30_000);
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await lk?.close();
});

describe('link of an ended room in Chromium', () => {
  for (const [locale, lang, heading, colorScheme] of [
    ['fr-FR', 'fr', 'Cette réunion est terminée', 'light'],
    ['en-GB', 'en', 'This meeting has ended', 'dark'],
  ] as const) {
    it(`${locale} (${colorScheme}): says when it ended, accessible, and opens no meeting`, async () => {
      const room = (
        await gw.json('/v1/rooms', {
          method: 'POST',
          body: { title: 'Comité', eventUid: `evt-${lang}`, schedule: { start: '2026-12-15T10:00:00', end: '2026-12-15T11:00:00', timeZone: 'Europe/Paris' } },
        })
      ).body;
      await gw.json(`/v1/rooms/${room.code}`, { method: 'DELETE' });
      const browser = await launchChromium({ locale, colorScheme });
      browsers.push(browser);
      const page = await browser.context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const response = await page.goto(`${gw.url}/j/${room.code}`);
      expect(response?.status()).toBe(410);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await page.getByRole('heading', { name: heading }).waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/2026/);
      expect(await axeViolations(page)).toEqual([]);
      // Readable on a phone: the text fits the width, no horizontal scrolling.
      await page.setViewportSize({ width: 360, height: 640 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await page.screenshot({ path: join(tmpdir(), `visio-room-ended-${lang}.png`) });
      expect(requests.every((u) => u.startsWith(gw.url))).toBe(true);
      expect(lk.rooms()).toEqual([]);
      await page.close();
    }, 60_000);
  }
});
