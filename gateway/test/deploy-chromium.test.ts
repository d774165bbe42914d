/**
 * Chromium deployed as an administrator does it: the gateway's own /deploy/chromium-policy.json, as it is
 * served, in Chromium's managed policy folder (bind-mounted in a private mount namespace: the real /etc is
 * never written) force-installs the extension from the gateway's update manifest and CRX, and its
 * 3rdparty part reaches the extension's managed storage; the options show the gateway locked, the popup
 * creates a room there, and a newer build is picked up through the update manifest.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedValues, validateManaged } from '@visio/shared/managed-settings';
import { launchChromiumWithPolicies, type PolicyChromium } from '@visio/testing/chromium-policies';
import { extensionId } from '../src/deploy/crx3.ts';
import { startTestGateway, tempDir, type TestGateway } from './harness.ts';

const REPO = join(import.meta.dirname, '..', '..');
type Worker = ReturnType<PolicyChromium['context']['serviceWorkers']>[number];
// Chromium's default DeveloperToolsAvailability (0) keeps DevTools, and so the test's CDP connection, away
// from policy-installed extensions' pages; this second policy file (the test's own, not the gateway's)
// allows them, as an administrator debugging a deployment would.
const DEVTOOLS_POLICY = JSON.stringify({ DeveloperToolsAvailability: 1 });

type Chrome = {
  chrome: {
    management: { getSelf(): Promise<{ id: string; version: string; installType: string; enabled: boolean; mayDisable: boolean }> };
    storage: { managed: { get(keys: null): Promise<Record<string, unknown>> } };
  };
};

let gw: TestGateway;
let clients: string;
let chromium: PolicyChromium;
let policy: { ExtensionSettings: Record<string, { update_url: string }>; '3rdparty': { extensions: Record<string, Record<string, unknown>> } };
let policyText: string;
let id: string;

/** Fails with the gateway's and browser's last words rather than a bare timeout. */
const diagnostics = () => `gateway:\n${gw.logs.filter((l) => l.includes('/deploy/')).join('\n')}\nchromium:\n${chromium?.output().slice(-3000)}`;

async function extensionWorker(version?: string): Promise<Worker> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    for (const worker of chromium.context.serviceWorkers()) {
      if (!worker.url().startsWith(`chrome-extension://${id}/`)) continue;
      if (!version) return worker;
      const self = await worker.evaluate(() => (globalThis as unknown as Chrome).chrome.management.getSelf()).catch(() => null);
      if (self?.version === version) return worker;
    }
    if (Date.now() > deadline) throw new Error(`no service worker of ${id}${version ? ` at ${version}` : ''}\n${diagnostics()}`);
    await chromium.context.waitForEvent('serviceworker', { timeout: 2_000 }).catch(() => undefined);
  }
}

/** The extension's version as the profile records it (Chromium keeps extension settings in Secure Preferences). */
function installedVersion(): string | undefined {
  for (const file of ['Secure Preferences', 'Preferences']) {
    try {
      const prefs = JSON.parse(readFileSync(join(chromium.profileDir, 'Default', file), 'utf8'));
      const version = prefs.extensions?.settings?.[id]?.manifest?.version;
      if (version) return version;
    } catch {
      // not written yet
    }
  }
  return undefined;
}

/** Opens an extension page as a new tab (created through CDP, as a user's click on the toolbar would). */
async function extensionPage(path: string) {
  const page = await chromium.context.newPage();
  await page.goto(`chrome-extension://${id}/${path}`);
  return page;
}

beforeAll(async () => {
  // The administrator's signing key, so the extension id (and the gateway's CORS origin) is known first.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(tempDir('visio-crx-key-'), 'admin.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const expectedId = extensionId(publicKey.export({ type: 'spki', format: 'der' }));
  // A copy of the builds, so the test can publish a newer one.
  clients = tempDir('visio-clients-');
  cpSync(join(REPO, 'extension/browser/dist'), join(clients, 'extension/browser/dist'), { recursive: true });
  gw = await startTestGateway({ VISIO_CLIENTS_DIR: clients, VISIO_CRX_KEY_FILE: keyFile, CORS_ORIGINS: `chrome-extension://${expectedId}` });
  policyText = await (await gw.fetch('/deploy/chromium-policy.json')).text();
  policy = JSON.parse(policyText);
  id = Object.keys(policy.ExtensionSettings)[0]!;
  expect(id).toBe(expectedId);
  chromium = await launchChromiumWithPolicies({ managed: { 'visio.json': policyText, 'test-devtools.json': DEVTOOLS_POLICY } });
}, 120_000);

afterAll(async () => {
  await chromium?.close();
});

describe('Chromium: the policy from /deploy', { timeout: 120_000 }, () => {
  it('force-installs the extension from the gateway’s update manifest, with the id that manifest names', async () => {
    const worker = await extensionWorker();
    const xml = await (await gw.fetch('/deploy/chromium/updates.xml')).text();
    const appid = /<app appid='([a-p]{32})'>/.exec(xml)?.[1];
    const version = /<updatecheck [^>]*version='([\d.]+)'/.exec(xml)?.[1];
    expect(appid).toBe(id);
    expect(policy.ExtensionSettings[id]!.update_url).toBe(`${gw.url}/deploy/chromium/updates.xml`);
    // Chromium asked the update URL (with its own query: x=id%3D…) and downloaded the CRX the manifest names.
    const served = (path: string) => gw.logs.some((l) => l.includes(`"path":"${path}"`) && l.includes('"status":200'));
    expect(served('/deploy/chromium/updates.xml') && served('/deploy/chromium/visio.crx'), diagnostics()).toBe(true);
    const self = await worker.evaluate(() => (globalThis as unknown as Chrome).chrome.management.getSelf());
    // installType "admin": installed by policy, which also means the agent cannot disable or remove it.
    expect(self).toMatchObject({ id, version, installType: 'admin', enabled: true, mayDisable: false });
    // The policy lived only in the browser's mount namespace: the machine's own folder never saw it.
    const machine = existsSync('/etc/chromium/policies/managed') ? readdirSync('/etc/chromium/policies/managed') : [];
    expect(machine.filter((f) => readFileSync(join('/etc/chromium/policies/managed', f), 'utf8').includes(id))).toEqual([]);
  });

  it('hands the policy’s 3rdparty settings to the extension’s managed storage', async () => {
    const worker = await extensionWorker();
    // Chromium hands the policy to managed storage once the installed extension's schema is registered.
    await expect.poll(async () => Object.keys(await worker.evaluate(() => (globalThis as unknown as Chrome).chrome.storage.managed.get(null))).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const managed = await worker.evaluate(() => (globalThis as unknown as Chrome).chrome.storage.managed.get(null));
    expect(managed).toEqual(policy['3rdparty'].extensions[id]);
    expect(managed).toEqual(managedValues('chromium', { gatewayUrl: gw.url, instanceUrl: 'https://visio.numerique.gouv.fr' }));
  });

  it('shows the managed gateway in the options, locked and set by the administrator', async () => {
    const page = await extensionPage('options.html');
    const gateway = page.locator('#gatewayUrl');
    await expect.poll(() => gateway.inputValue(), { timeout: 20_000 }).toBe(gw.url);
    expect(await gateway.isDisabled()).toBe(true);
    const note = page.locator('#gatewayUrl-locked');
    expect(await note.isVisible()).toBe(true);
    expect(await note.innerText()).toMatch(/Défini par votre administrateur|Set by your administrator/);
    await page.close();
  });

  it('creates a room on the managed gateway from the popup', async () => {
    const page = await extensionPage('popup.html');
    await page.locator('#title').fill('Déployé par la politique');
    await page.locator('#create').click();
    const link = page.locator('#link');
    await link.waitFor({ timeout: 20_000 });
    const rooms = (await gw.json<{ items: { url: string; title: string }[] }>('/v1/rooms')).body.items;
    expect(rooms.map((r) => [r.url, r.title])).toEqual([[await link.innerText(), 'Déployé par la politique']]);
    await page.close();
  });

  it('takes the optional settings the page documents (auto-add, enabled calendars) as the schema types them', async () => {
    // The administrator adds to the page's file two keys the page documents but does not write.
    const edited = JSON.parse(policyText);
    const extra = { autoAdd: true, enabledCalendars: ['outlook', 'sogo:https://sogo.exemple.gouv.fr'] };
    Object.assign(edited['3rdparty'].extensions[id], extra);
    chromium.writeManaged('visio.json', JSON.stringify(edited));
    const worker = await extensionWorker();
    const managed = () => worker.evaluate(() => (globalThis as unknown as Chrome).chrome.storage.managed.get(null));
    // Chromium watches the policy folder and validates the values against the extension's managed schema.
    await expect.poll(async () => (await managed()).enabledCalendars, { timeout: 60_000 }).toEqual(extra.enabledCalendars);
    expect(await managed()).toEqual({ ...policy['3rdparty'].extensions[id]!, ...extra });
    expect(validateManaged('chromium', await managed()).invalid).toEqual({});
    chromium.writeManaged('visio.json', policyText);
    await expect.poll(async () => Object.keys(await managed()).sort(), { timeout: 60_000 }).toEqual(Object.keys(policy['3rdparty'].extensions[id]!).sort());
  });

  it('picks up a newer build through the update manifest', async () => {
    // A new build published on the gateway: its built manifest says 0.2.0 and its zip holds that manifest.
    const dist = join(clients, 'extension/browser/dist');
    const build = join(tempDir('visio-build-'), 'chromium');
    cpSync(join(dist, 'chromium'), build, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(build, 'manifest.json'), 'utf8'));
    writeFileSync(join(build, 'manifest.json'), JSON.stringify({ ...manifest, version: '0.2.0' }));
    const zip = spawnSync('python3', ['-m', 'zipfile', '-c', join(dist, 'visio-chromium-0.2.0.zip'), ...readdirSync(build)], { cwd: build, encoding: 'utf8' });
    expect(zip.status, zip.stderr).toBe(0);
    cpSync(join(build, 'manifest.json'), join(dist, 'chromium', 'manifest.json'));

    // The agent's next browser start: Chromium checks the update URL soon after starting (and every few hours)
    // and installs the update once the extension is idle (its service worker stopped), which it never is while
    // DevTools holds the worker: the test attaches only once the profile records the new version.
    await chromium.restart(() => installedVersion() === '0.2.0');
    const options = await extensionPage('options.html');
    const self = () => options.evaluate(() => (globalThis as unknown as Chrome).chrome.management.getSelf());
    expect(await self()).toMatchObject({ id, version: '0.2.0', installType: 'admin', enabled: true });
    await expect.poll(() => options.locator('#gatewayUrl').inputValue(), { timeout: 20_000 }).toBe(gw.url);
    await options.close();
  });
});
