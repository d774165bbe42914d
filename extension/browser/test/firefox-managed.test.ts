/**
 * The administrator's `enabledCalendars` and `autoAdd` in Debian's Firefox ESR: `3rdparty.Extensions` of a
 * `distribution/policies.json` in a copy of the installation (@visio/testing/firefox), the Firefox package
 * loaded with a fixed UUID. Here the grant is the real thing: a trusted click on the options page's button
 * makes the one permissions.request, which `extensions.webextOptionalPermissionPrompts` off answers as the
 * agent's "Allow" would, and the background registers the calendars. Firefox does not check managed values
 * against a schema: the extension's own check (validateManaged) shows every refused one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firefoxInstallationWithPolicies, launchFirefox, type Firefox } from '@visio/testing/firefox';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { GECKO_ID } from '../scripts/manifest.mjs';
import { builtDir, waitUntil } from './harness.ts';

const uuid = randomUUID();
const origin = `moz-extension://${uuid}`;
const SOGO = 'https://sogo.visio-test.example';
let gateway: GatewayProcess;
let install: ReturnType<typeof firefoxInstallationWithPolicies>;
let firefox: Firefox;
let tab: string;

beforeAll(async () => {
  gateway = await startGatewayProcess({ LOG_LEVEL: 'warn', CORS_ORIGINS: origin });
  const managed = { gatewayUrl: gateway.url, enabledCalendars: ['google', `sogo:${SOGO}`], autoAdd: 'oui', accessLevel: 'secret' };
  install = firefoxInstallationWithPolicies(JSON.stringify({ policies: { '3rdparty': { Extensions: { [GECKO_ID]: managed } } } }));
  firefox = await launchFirefox(
    {
      executable: install.executable,
      extensions: { [GECKO_ID]: builtDir('firefox') },
      prefs: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }), 'extensions.webextOptionalPermissionPrompts': false },
    },
    60_000,
  );
  tab = await firefox.context();
  await waitUntil(
    async () => {
      await firefox.navigate(tab, `${origin}/options.html`);
      return firefox.evaluate<boolean>(tab, `typeof browser === 'object' && !!browser.storage`);
    },
    (v) => v,
    'the extension answers in Firefox',
    30_000,
  );
  // The agent's language (Firefox's own is English here).
  await firefox.evaluate(tab, `browser.storage.local.set({ settings: { lang: 'fr' } })`);
}, 120_000);

afterAll(async () => {
  await firefox?.close();
  await gateway?.stop();
  install?.remove();
});

/** A trusted click (WebDriver), so it counts as the agent's gesture. */
async function click(selector: string): Promise<void> {
  const found = await firefox.send<{ value: Record<string, string> }>('WebDriver:FindElement', { using: 'css selector', value: selector });
  await firefox.send('WebDriver:ElementClick', { id: Object.values(found.value)[0] });
}

const text = (id: string) => firefox.evaluate<string>(tab, `document.getElementById(${JSON.stringify(id)}).hidden ? '' : document.getElementById(${JSON.stringify(id)}).textContent`);

describe('Firefox ESR: managed calendars and auto-add', () => {
  it('shows the calendars locked and every refused value as invalid', async () => {
    await firefox.navigate(tab, `${origin}/options.html`);
    await waitUntil(
      () => text('managed-grant-button'),
      (v) => v === 'Autoriser Visio sur les agendas choisis par votre administration',
      'grant button',
      30_000,
    );
    const state = await firefox.evaluate<Record<string, unknown>>(
      tab,
      `({ google: document.getElementById('cal-google').checked && document.getElementById('cal-google').disabled, outlook: document.getElementById('cal-outlook').checked,
          list: document.getElementById('self-hosted-list').textContent, removes: document.querySelectorAll('#self-hosted-list button').length,
          autoAddLocked: document.getElementById('autoAdd').disabled })`,
    );
    expect(state).toEqual({ google: true, outlook: false, list: `SOGo — ${SOGO}`, removes: 0, autoAddLocked: false });
    expect(await text('autoAdd-invalid')).toBe('Valeur invalide reçue de votre administrateur, ignorée : « oui ». Signalez-le-lui.');
    expect(await text('accessLevel-invalid')).toBe('Valeur invalide reçue de votre administrateur, ignorée : « secret ». Signalez-le-lui.');
    expect(await text('enabledCalendars-invalid')).toBe('');
  });

  it('one click on the grant button allows both sites and the background registers both calendars', async () => {
    const registered = () => firefox.evaluate<string[]>(tab, `browser.scripting.getRegisteredContentScripts().then((all) => all.map((s) => s.js.join() + ' ' + s.matches.join()).sort())`);
    expect(await registered()).toEqual([]);
    await click('#managed-grant-button');
    await waitUntil(
      () => text('managed-granted'),
      (v) => v === 'Visio est actif sur les agendas choisis par votre administration.',
      'granted',
      30_000,
    );
    expect(await text('managed-grant')).toBe('');
    expect(await firefox.evaluate(tab, `browser.permissions.contains({ origins: ['https://calendar.google.com/*', '${SOGO}/*'] })`)).toBe(true);
    expect(await registered()).toEqual(['content/google.js https://calendar.google.com/*', `content/sogo.js ${SOGO}/*`]);
  });
});
