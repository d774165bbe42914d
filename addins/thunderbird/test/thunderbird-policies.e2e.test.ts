/**
 * Deployment by an administrator, as the README describes it: a `distribution/policies.json` beside
 * Thunderbird's program files (here in a copy of the installation made of symlinks) force-installs the
 * add-on from its install_url and sets its options under `3rdparty`. The agent is asked nothing; the
 * options show the administrator's values read-only, an unusable one as invalid; Thunderbird warns about
 * nothing in the manifest. On each supported ESR.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { managedValues } from '@visio/shared/managed-settings';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { enableCalendars, installationWithPolicies, launchThunderbird, thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { ADDON_ID, XPI, editorScripts as E, pageScripts as P } from './tb-scripts.ts';

/** The README's policies.json, with this test's gateway and .xpi. */
function policies(gatewayUrl: string): unknown {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const json = /<!-- policies\.json -->\s*```json\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!json) throw new Error('README.md has no policies.json example');
  return JSON.parse(json.replace('https://visio-gateway.example.gouv.fr', gatewayUrl).replace('https://deploiement.example.gouv.fr/visio-thunderbird.xpi', pathToFileURL(XPI).href));
}

describe.each(thunderbirdInstallations().map((t) => [t.major, t.installDir] as const))('Thunderbird %s deployed with policies.json', (_major, installDir) => {
  let gateway: GatewayProcess;
  let tb: Thunderbird | undefined;
  let install: { executable: string; remove(): void } | undefined;

  beforeAll(async () => {
    gateway = await startGatewayProcess();
  });
  afterAll(async () => {
    await tb?.close();
    install?.remove();
    await gateway?.stop();
  });

  async function start(policy: unknown): Promise<Thunderbird> {
    await tb?.close();
    install?.remove();
    install = installationWithPolicies(installDir, policy);
    // Default add-on scopes: only the policy installs the add-on (nothing side-loaded).
    tb = await launchThunderbird({
      executable: install.executable,
      prefs: { 'extensions.autoDisableScopes': 15, 'extensions.startupScanScopes': 0, 'devtools.console.stdout.content': true },
    });
    await tb.waitFor(E.addonActive, [ADDON_ID], { what: 'the force-installed add-on to be active', timeoutMs: 30_000 });
    return tb;
  }

  const options = <T>(script: string) => tb!.waitFor<T>(P.inOptions, [script], { what: 'the options page', timeoutMs: 20_000 });

  /** Installed by policy, the administrator's values shown read-only in the options and used. */
  async function expectDeployed(t: Thunderbird): Promise<void> {
    await enableCalendars(t);
    // Installed by policy, enabled, and the agent cannot remove it.
    const addon = await t.chrome<{ active: boolean; canUninstall: boolean }>(
      `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
      return AddonManager.getAddonByID(arguments[0]).then((a) => ({ active: a.isActive, canUninstall: Boolean(a.permissions & AddonManager.PERM_CAN_UNINSTALL) }));`,
      ADDON_ID,
    );
    expect(addon).toEqual({ active: true, canUninstall: false });
    await t.chrome(P.openOptions, ADDON_ID);
    const shown = await options<{ gateway: string; disabled: boolean; note: boolean }>(
      `const g = document.getElementById('gatewayUrl'); return { gateway: g.value, disabled: g.disabled, note: !document.getElementById('managed-note').hidden };`,
    );
    expect(shown).toEqual({ gateway: gateway.url, disabled: true, note: true });
    // The policy's gateway is the one used.
    const view = await E.openNewEvent(t, 'Déployée');
    await t.chrome(E.press, view, 'add');
    const fields = await t.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the fields to be filled' });
    const rooms = ((await (await fetch(`${gateway.url}/v1/rooms?limit=100`)).json()) as { items: { code: string }[] }).items.map((r) => r.code);
    expect(rooms).toContain(fields.location.slice(-12));
    await E.discard(t, view);
  }

  test("force-installed from install_url with the administrator's settings, which work and are read-only", async () => {
    const t = await start(policies(gateway.url));
    await expectDeployed(t);
    // Nothing in the manifest that Thunderbird warns about (its console, where it reports manifest problems).
    const warnings = await t.chrome<string[]>(`return Services.console.getMessageArray().map((m) => m.message ?? String(m)).filter((m) => m.includes("Reading manifest"));`);
    expect(warnings).toEqual([]);
  });

  test('the gateway’s own /deploy/thunderbird-policies.json, as served: installed from the gateway, every value it writes applied', async () => {
    const served = await (await fetch(`${gateway.url}/deploy/thunderbird-policies.json`)).text();
    const written = (JSON.parse(served) as { policies: { '3rdparty': { Extensions: Record<string, Record<string, unknown>> } } }).policies['3rdparty'].Extensions[ADDON_ID];
    expect(written).toEqual(managedValues('thunderbird', { gatewayUrl: gateway.url, instanceUrl: 'https://visio.numerique.gouv.fr' }));
    const t = await start(served);
    // Thunderbird fetched the package from the install_url the gateway wrote.
    expect(gateway.output().stdout).toMatch(/"path":"\/deploy\/thunderbird\/visio\.xpi","status":200/);
    await expectDeployed(t);
    // Every other value the file sets is the one the options show, locked.
    const fields = await options<{ instance: string; instanceLocked: boolean; release: boolean; releaseLocked: boolean }>(
      `const i = document.getElementById('instanceUrl'), r = document.getElementById('releaseOnDelete');
       return { instance: i.value, instanceLocked: i.disabled, release: r.checked, releaseLocked: r.disabled };`,
    );
    expect(fields).toEqual({ instance: written!.instanceUrl, instanceLocked: true, release: written!.releaseOnDelete, releaseLocked: true });
  });

  test('an unusable policy value is shown as set by the administrator but invalid, and logged', async () => {
    const policy = policies(gateway.url) as { policies: { '3rdparty': { Extensions: Record<string, Record<string, unknown>> } } };
    policy.policies['3rdparty'].Extensions[ADDON_ID]!.gatewayUrl = 'http://passerelle.example.gouv.fr';
    const t = await start(policy);
    await t.chrome(P.openOptions, ADDON_ID);
    const shown = await options<{ value: string; disabled: boolean; error: string }>(
      `const g = document.getElementById('gatewayUrl'); const e = document.getElementById('gatewayUrl-error');
       return e.hidden ? null : { value: g.value, disabled: g.disabled, error: e.textContent };`,
    );
    expect(shown.disabled).toBe(true);
    expect(shown.error).toMatch(/^(Set by your administrator but invalid|Défini par votre administrateur mais invalide) ?: http:\/\/passerelle\.example\.gouv\.fr$/);
    await expect.poll(() => t.output(), { timeout: 10_000 }).toContain('Visio: policy value gatewayUrl set by the administrator is invalid and not used: http://passerelle.example.gouv.fr');
  });
});
