/** The deployment page in real Chromium: zero axe violations in both languages, keyboard reachable files, no third party. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { startTestGateway, type TestGateway } from './harness.ts';

let gw: TestGateway;
let browser: Chromium;
const requests: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  browser = await launchChromium();
  browser.context.on('request', (r) => requests.push(r.url()));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('deployment page in Chromium', () => {
  for (const lang of ['fr', 'en'] as const) {
    it(`has zero axe violations (${lang})`, async () => {
      const page = await browser.context.newPage();
      await page.goto(`${gw.url}/deploy?lang=${lang}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: `${process.env.VISIO_SCREENSHOT_DIR ?? gw.dataDir}/deploy-${lang}.png`, fullPage: true });
      await page.close();
    });
  }

  it('offers each file for download under the name the steps use, with the bytes its own URL serves', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gw.url}/deploy?lang=en`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download visio.json' }).click()]);
    expect(download.suggestedFilename()).toBe('visio.json');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(await (await gw.fetch('/deploy/chromium-policy.json')).text());
    // The file boxes scroll sideways and are reachable by keyboard.
    await page.getByRole('region', { name: 'Contents of visio.json' }).focus();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('PRE');
    // The page is no wider than the window.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.close();
  });

  it('loads nothing from outside the gateway', () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(new URL(url).origin).toBe(gw.url);
  });
});
