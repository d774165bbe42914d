/**
 * Firefox ESR picks up a new version from the gateway's updates.json: a build for this gateway (the manifest
 * the build writes with VISIO_DEPLOY_GATEWAY_URL: scripts/manifest.mjs and scripts/deployment.mjs) hosted
 * by a real gateway process (VISIO_CLIENTS_DIR), force-installed by the gateway's own
 * /deploy/firefox-policies.json in a copy of the installation; then a newer build is published and
 * Firefox's add-on update check (the one its daily timer runs) installs it from the gateway.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firefoxInstallationWithPolicies, launchFirefox, type Firefox } from '@visio/testing/firefox';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { deploymentUpdateUrls } from '../scripts/deployment.mjs';
import { GECKO_ID, manifest } from '../scripts/manifest.mjs';
import { builtDir, waitUntil } from './harness.ts';

const uuid = randomUUID();
const origin = `moz-extension://${uuid}`;
const clients = mkdtempSync(join(tmpdir(), 'visio-clients-ff-'));
const work = mkdtempSync(join(tmpdir(), 'visio-ff-build-'));
let gateway: GatewayProcess;
let install: ReturnType<typeof firefoxInstallationWithPolicies>;
let firefox: Firefox;
let tab: string;

/** Publishes the Firefox build at `version` where the gateway reads it, as a deployment build would be. */
function publish(version: string): void {
  const build = join(work, version);
  cpSync(builtDir('firefox'), build, { recursive: true });
  writeFileSync(join(build, 'manifest.json'), `${JSON.stringify(manifest('firefox', version, deploymentUpdateUrls(gateway.url)!.firefox), null, 2)}\n`);
  const dist = join(clients, 'extension', 'browser', 'dist');
  mkdirSync(join(dist, 'firefox'), { recursive: true });
  const zip = spawnSync('python3', ['-m', 'zipfile', '-c', join(dist, `visio-firefox-${version}.zip`), ...readdirSync(build)], { cwd: build, encoding: 'utf8' });
  if (zip.status !== 0) throw new Error(`zip failed: ${zip.stderr}`);
  // The manifest last, as a build writes its folder: the gateway offers the version it names.
  cpSync(join(build, 'manifest.json'), join(dist, 'firefox', 'manifest.json'));
}

/** Runs in Firefox's parent process (Marionette's chrome context): the add-on manager, as about:addons uses it. */
async function chrome<T>(body: string): Promise<T> {
  await firefox.send('Marionette:SetContext', { value: 'chrome' });
  try {
    const result = await firefox.send<{ value: T }>('WebDriver:ExecuteAsyncScript', {
      script: `const done = arguments[arguments.length - 1]; const { AddonManager } = ChromeUtils.importESModule('resource://gre/modules/AddonManager.sys.mjs'); (async () => { ${body} })().then((v) => done(v), (e) => done('error: ' + e));`,
      args: [],
    });
    return result.value;
  } finally {
    await firefox.send('Marionette:SetContext', { value: 'content' });
  }
}

const logs = () => gateway.output().stdout.split('\n');
const served = (path: string) => logs().filter((l) => l.includes(`"path":"${path}"`) && l.includes('"status":200')).length;

beforeAll(async () => {
  gateway = await startGatewayProcess({ LOG_LEVEL: 'debug', CORS_ORIGINS: origin, VISIO_CLIENTS_DIR: clients });
  publish('0.1.0');
  const policies = await (await fetch(`${gateway.url}/deploy/firefox-policies.json`)).text();
  install = firefoxInstallationWithPolicies(policies);
  firefox = await launchFirefox(
    {
      executable: install.executable,
      prefs: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
        // Updates on (the launcher turns them off for quiet tests). The test gateway is plain http on
        // loopback: with the update security check on, Firefox does not even install a package whose
        // update URL is http (tried). A deployed gateway is https and needs no such pref.
        'extensions.update.enabled': true,
        'extensions.update.autoUpdateDefault': true,
        'extensions.checkUpdateSecurity': false,
      },
    },
    60_000,
  );
  tab = await firefox.context();
}, 120_000);

afterAll(async () => {
  await firefox?.close();
  await gateway?.stop();
  install?.remove();
  rmSync(clients, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('Firefox ESR: an update from the gateway’s updates.json', { timeout: 120_000 }, () => {
  it('installs 0.1.0 from the gateway, then 0.2.0 once it is published', async () => {
    const version = () => chrome<string | null>(`return (await AddonManager.getAddonByID(${JSON.stringify(GECKO_ID)}))?.version ?? null;`);
    await waitUntil(version, (v) => v === '0.1.0', 'force-installed from the gateway', 60_000);
    expect(served('/deploy/firefox/visio.xpi')).toBe(1);
    // The installed package names this gateway's update manifest.
    expect(await chrome<string>(`return (await AddonManager.getAddonByID(${JSON.stringify(GECKO_ID)})).updateURL;`)).toBe(`${gateway.url}/deploy/firefox/updates.json`);

    publish('0.2.0');
    const offered = (await (await fetch(`${gateway.url}/deploy/firefox/updates.json`)).json()) as { addons: Record<string, { updates: { version: string }[] }> };
    expect(offered.addons[GECKO_ID]!.updates.map((u) => u.version)).toEqual(['0.2.0']);
    // What Firefox's daily add-on update timer runs.
    await chrome(`await AddonManager.backgroundUpdateCheck(); return true;`);
    await waitUntil(version, (v) => v === '0.2.0', 'updated from the gateway', 60_000);
    // Firefox asked the update manifest and downloaded the package it names.
    expect(served('/deploy/firefox/updates.json')).toBeGreaterThanOrEqual(1);
    expect(served('/deploy/firefox/visio.xpi')).toBeGreaterThanOrEqual(2);

    // The updated extension runs: its page answers with the new version.
    await waitUntil(
      async () => {
        await firefox.navigate(tab, `${origin}/options.html`);
        return firefox.evaluate<string>(tab, `browser.runtime.getManifest().version`);
      },
      (v) => v === '0.2.0',
      'the updated extension answers',
      30_000,
    );
  });
});
