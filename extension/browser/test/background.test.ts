/**
 * Background handlers in Chromium's service worker: the context-menu entry and the keyboard shortcut put a
 * fresh link on the clipboard (offscreen document) and confirm with a notification; options and policy.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { builtDir, gatewayRooms, startRig, type Rig } from './harness.ts';

type Chrome = {
  chrome: {
    notifications: { getAll(): Promise<Record<string, unknown>>; clear(id: string): Promise<boolean> };
    commands: { getAll(): Promise<{ name: string; shortcut: string }[]> };
  };
  visio: { onMenuClicked(info: { menuItemId: string }): Promise<string | null>; onCommand(command: string): Promise<string | null> };
};

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

async function clipboard(): Promise<string> {
  const page = await rig.page('popup.html');
  const text = await page.evaluate(() => navigator.clipboard.readText());
  await page.close();
  return text;
}

describe('context menu and keyboard shortcut', () => {
  it('first install: a welcome notification whose click opens the options page', async () => {
    await expect.poll(async () => Object.keys(await rig.worker.evaluate(() => (globalThis as unknown as Chrome).chrome.notifications.getAll())), { timeout: 10_000 }).toContain('visio-welcome');
    const [options] = await Promise.all([
      rig.browser.context.waitForEvent('page'),
      rig.worker.evaluate(() => (globalThis as unknown as { visio: { onNotificationClicked(id: string): void } }).visio.onNotificationClicked('visio-welcome')),
    ]);
    await options.waitForLoadState();
    expect(options.url()).toBe(`${rig.origin}/options.html`);
    await options.close();
  });

  it('declares the shortcut', async () => {
    const commands = await rig.worker.evaluate(() => (globalThis as unknown as Chrome).chrome.commands.getAll());
    expect(commands.find((c) => c.name === 'create-meeting')?.shortcut).toBe('Alt+Shift+V');
  });

  for (const [name, call] of [
    ['context menu', () => rig.worker.evaluate(() => (globalThis as unknown as Chrome).visio.onMenuClicked({ menuItemId: 'visio-create' }))],
    ['shortcut', () => rig.worker.evaluate(() => (globalThis as unknown as Chrome).visio.onCommand('create-meeting'))],
  ] as const) {
    it(`${name}: a new room, its link on the clipboard, a notification`, async () => {
      const before = (await gatewayRooms(rig.gateway)).length;
      const url = await call();
      const rooms = await gatewayRooms(rig.gateway);
      expect(rooms).toHaveLength(before + 1);
      expect(url).toBe(rooms[0]!.url);
      expect(await clipboard()).toBe(url);
      const notifications = await rig.worker.evaluate(() => (globalThis as unknown as Chrome).chrome.notifications.getAll());
      expect(Object.keys(notifications)).toContain(`visio-copied-${rooms[0]!.code}`);
    });
  }

  it('other menu entries and commands do nothing', async () => {
    const before = (await gatewayRooms(rig.gateway)).length;
    expect(await rig.worker.evaluate(() => (globalThis as unknown as Chrome).visio.onCommand('other') ?? 'none')).toBe('none');
    expect(await gatewayRooms(rig.gateway)).toHaveLength(before);
  });

  it('a gateway that cannot be reached gives a failure notification and an unchanged clipboard', async () => {
    await rig.setSettings({ gatewayUrl: 'http://127.0.0.1:9', lang: 'fr' });
    const previous = await clipboard();
    expect(await rig.worker.evaluate(() => (globalThis as unknown as Chrome).visio.onCommand('create-meeting'))).toBeNull();
    const notifications = await rig.worker.evaluate(() => (globalThis as unknown as Chrome).chrome.notifications.getAll());
    expect(Object.keys(notifications).some((id) => id.startsWith('visio-failed-'))).toBe(true);
    expect(await clipboard()).toBe(previous);
    await rig.setSettings({ gatewayUrl: rig.gateway.url, lang: 'fr' });
    // Only the gateway the agent configured (unreachable here) and the allowed origins were asked.
    expect(rig.foreign.filter((url) => !url.startsWith('http://127.0.0.1:9/'))).toEqual([]);
  });
});

describe('options page', () => {
  it('saves a valid gateway, refuses an invalid one with a readable message', async () => {
    const page = await rig.page('options.html');
    const gateway = page.getByLabel('Adresse de la passerelle Visio');
    await expect.poll(() => gateway.inputValue(), { timeout: 10_000 }).toBe(rig.gateway.url);
    await gateway.fill('http://intranet.example/gateway');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('Adresse invalide');
    expect(await gateway.getAttribute('aria-invalid')).toBe('true');
    await gateway.fill(`${rig.gateway.url}/`);
    await page.getByLabel('Niveau d’accès par défaut des nouvelles réunions').selectOption('public');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText(/Passerelle joignable : Visio, mode local\./).waitFor();
    await page.close();
    // The popup now creates public rooms.
    const popup = await rig.page('popup.html');
    await popup.getByRole('button', { name: 'Nouvelle réunion Visio' }).click();
    await popup.getByRole('heading', { name: 'Votre réunion est prête' }).waitFor();
    expect((await gatewayRooms(rig.gateway))[0]!.accessLevel).toBe('public');
    await popup.close();
  });
});

describe('accessibility (axe, WCAG 2.1 AA)', () => {
  for (const lang of ['fr', 'en'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`popup and options, ${lang}, ${scheme}: no violation`, async () => {
        await rig.setSettings({ gatewayUrl: rig.gateway.url, lang });
        for (const file of ['popup.html', 'options.html']) {
          const page = await rig.browser.context.newPage();
          await page.emulateMedia({ colorScheme: scheme });
          await page.goto(`${rig.origin}/${file}`);
          await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 10_000 }).toBe(lang);
          if (file === 'popup.html') {
            await page.getByRole('button', { name: lang === 'fr' ? 'Nouvelle réunion Visio' : 'New Visio meeting' }).click();
            await page.locator('#result:not([hidden])').waitFor();
            await page.locator('#recent-list li').first().waitFor();
          }
          expect(await axeViolations(page), `${file} ${lang} ${scheme}`).toEqual([]);
          await page.close();
        }
      });
    }
  }
});

describe('settings pushed by policy', () => {
  // A real Chromium policy file naming only this run's extension id (fresh key), in Chromium's own mount
  // namespace (@visio/testing/chromium-policies): the machine's /etc is never written, even on failure.
  let managed: Rig | undefined;

  afterAll(async () => {
    await managed?.close();
  });

  it('locks the gateway, instance and access level the administrator set', async () => {
    managed = await startRig({
      policies: (id) => ({
        'visio-test.json': JSON.stringify({
          '3rdparty': { extensions: { [id]: { gatewayUrl: 'http://127.0.0.1:1', instanceUrl: 'https://visio.numerique.gouv.fr', accessLevel: 'restricted' } } },
        }),
      }),
    });
    // The agent's own value loses to the policy: the gateway the policy names is the one used.
    const page = await managed.page('options.html');
    const gateway = page.getByLabel('Adresse de la passerelle Visio');
    await expect.poll(() => gateway.inputValue(), { timeout: 20_000 }).toBe('http://127.0.0.1:1');
    expect(await gateway.isDisabled()).toBe(true);
    expect(await page.getByLabel('Instance Visio').isDisabled()).toBe(true);
    expect(await page.getByLabel('Niveau d’accès par défaut des nouvelles réunions').inputValue()).toBe('restricted');
    expect(await page.getByText('Défini par votre administrateur.').filter({ visible: true }).count()).toBe(3);
    await page.close();
    // The policy lived only in the browser's namespace.
    const machine = existsSync('/etc/chromium/policies/managed') ? readdirSync('/etc/chromium/policies/managed') : [];
    expect(machine.filter((f) => readFileSync(join('/etc/chromium/policies/managed', f), 'utf8').includes(managed!.id))).toEqual([]);
  });
});

describe('quiet install', () => {
  it('Chromium itself gives no website-data warning for the shipped manifest', async () => {
    const shipped = readFileSync(join(builtDir('chromium'), 'manifest.json'), 'utf8');
    const page = await rig.page('options.html');
    // The browser's own install-prompt text for this manifest (what an agent would be asked to accept).
    const warnings = await page.evaluate(
      (manifest) =>
        new Promise<string[]>((resolve) =>
          (globalThis as unknown as { chrome: { management: { getPermissionWarningsByManifest(m: string, cb: (w: string[]) => void): void } } }).chrome.management.getPermissionWarningsByManifest(
            manifest,
            resolve,
          ),
        ),
      shipped,
    );
    await page.close();
    expect(warnings.length).toBeGreaterThan(0); // the API answered with the expected ones (notifications, clipboard)
    expect(warnings.filter((w) => /website|site|data on|données/i.test(w))).toEqual([]);
    // And the same call flags a static content script on a site, so the check can fail.
    const noisy = await rig.page('options.html');
    const withSite = await noisy.evaluate(
      (manifest) =>
        new Promise<string[]>((resolve) =>
          (globalThis as unknown as { chrome: { management: { getPermissionWarningsByManifest(m: string, cb: (w: string[]) => void): void } } }).chrome.management.getPermissionWarningsByManifest(
            manifest,
            resolve,
          ),
        ),
      JSON.stringify({ ...JSON.parse(shipped), content_scripts: [{ matches: ['https://calendar.google.com/*'], js: ['content/google.js'] }] }),
    );
    await noisy.close();
    expect(withSite.some((w) => /calendar\.google\.com/.test(w))).toBe(true);
  });
});

describe('sovereignty', () => {
  it('no request left the gateway, the extension and the Visio instance', () => {
    expect(rig.foreign.filter((url) => !url.startsWith('http://127.0.0.1:9/'))).toEqual([]);
    expect(rig.requests.some((url) => url.startsWith(rig.gateway.url))).toBe(true);
  });
});
