/**
 * Firefox ESR deployed as an administrator does it: the gateway's own /deploy/firefox-policies.json in
 * distribution/ of a copy of the installation force-installs the package from the gateway and sets its
 * managed settings; the options show them locked, and the popup creates a room on the managed gateway.
 * Debian's ESR accepts the unsigned build because xpinstall.signatures.required is false (launchFirefox);
 * release Firefox would need Mozilla's signature (README).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedValues } from '@visio/shared/managed-settings';
import { firefoxInstallationWithPolicies, launchFirefox, type Firefox } from '@visio/testing/firefox';
import { startTestGateway, type TestGateway } from './harness.ts';

const GECKO_ID = 'visio@numerique.gouv.fr';
const uuid = randomUUID();
const origin = `moz-extension://${uuid}`;
let gw: TestGateway;
let install: ReturnType<typeof firefoxInstallationWithPolicies>;
let firefox: Firefox;
let tab: string;

const waitFor = async <T>(what: () => Promise<T>, ok: (v: T) => boolean, label: string, ms = 60_000): Promise<T> => {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await what();
      if (ok(value)) return value;
      last = value;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${label}: last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
};

beforeAll(async () => {
  gw = await startTestGateway({ CORS_ORIGINS: origin });
  const policies = await (await gw.fetch('/deploy/firefox-policies.json')).text();
  install = firefoxInstallationWithPolicies(policies);
  firefox = await launchFirefox({ executable: install.executable, prefs: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }) } }, 60_000);
  tab = await firefox.context();
}, 120_000);

afterAll(async () => {
  await firefox?.close();
  install?.remove();
});

describe('Firefox ESR: policies.json from /deploy', () => {
  it('installs the package from the gateway with no side-loading, and sets the managed settings', async () => {
    await waitFor(
      async () => {
        await firefox.navigate(tab, `${origin}/options.html`);
        return firefox.evaluate<boolean>(tab, `typeof browser === 'object' && !!browser.storage`);
      },
      (v) => v === true,
      'the force-installed extension answers',
    );
    expect(gw.logs.some((l) => l.includes('"path":"/deploy/firefox/visio.xpi"') && l.includes('"status":200'))).toBe(true);
    const managed = await firefox.evaluate(tab, `browser.storage.managed.get(null)`);
    expect(managed).toEqual(managedValues('firefox', { gatewayUrl: gw.url, instanceUrl: 'https://visio.numerique.gouv.fr' }));
  }, 90_000);

  it('shows the managed gateway locked in the options', async () => {
    await firefox.navigate(tab, `${origin}/options.html`);
    const field = await waitFor(
      () =>
        firefox.evaluate<{ value: string; disabled: boolean; note: boolean }>(
          tab,
          `({ value: document.getElementById('gatewayUrl').value, disabled: document.getElementById('gatewayUrl').disabled, note: !document.getElementById('gatewayUrl-locked').hidden })`,
        ),
      (v) => v.value === gw.url,
      'options filled',
      20_000,
    );
    expect(field).toEqual({ value: gw.url, disabled: true, note: true });
  });

  it('creates a room on the managed gateway from the popup', async () => {
    await firefox.navigate(tab, `${origin}/popup.html`);
    await firefox.evaluate(tab, `(document.getElementById('title').value = 'Déployé', document.getElementById('create').click(), true)`);
    const link = await waitFor(
      () => firefox.evaluate<string | null>(tab, `document.getElementById('link')?.textContent ?? null`),
      (v) => !!v && v.startsWith('https://'),
      'link shown',
      20_000,
    );
    const rooms = (await gw.json<{ items: { url: string; title: string }[] }>('/v1/rooms')).body.items;
    expect(rooms.map((r) => [r.url, r.title])).toEqual([[link, 'Déployé']]);
  });
});
