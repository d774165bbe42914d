/**
 * The Firefox package in Debian's Firefox ESR: the popup flow end to end against a real gateway, and the
 * SOGo button on a real SOGo 5.8 web UI (origin granted from the options page's button). The
 * extension's UUID is fixed through `extensions.webextensions.uuids`, so the gateway can allow its origin
 * and the test can open moz-extension://<uuid>/popup.html.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFirefox, type Firefox } from '@visio/testing/firefox';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { startSogo, type SogoServer } from '@visio/testing/sogo';
import { GECKO_ID } from '../scripts/manifest.mjs';
import { builtDir, gatewayRooms, PACKAGE_DIR, waitUntil } from './harness.ts';

const uuid = randomUUID();
const origin = `moz-extension://${uuid}`;
let gateway: GatewayProcess;
let sogo: SogoServer;
let firefox: Firefox;
let tab: string;

beforeAll(async () => {
  gateway = await startGatewayProcess({ LOG_LEVEL: 'warn', CORS_ORIGINS: origin });
  sogo = await startSogo({ agent: { password: 'agent-password-ff', name: 'Agent Test', email: 'agent@example.test' } });
  firefox = await launchFirefox({
    extensions: { [GECKO_ID]: builtDir('firefox') },
    // Stands in for the agent's "Allow" on the permission prompt (headless Firefox shows none); the request still runs.
    prefs: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }), 'extensions.webextOptionalPermissionPrompts': false },
  });
  tab = await firefox.context();
  // The extension starts a moment after the browser: retry until its page answers.
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await firefox.navigate(tab, `${origin}/popup.html`);
      if (await firefox.evaluate<boolean>(tab, `typeof browser === 'object' && !!browser.storage`)) break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the extension did not load in Firefox: ${String(error)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await firefox.evaluate(tab, `browser.storage.local.set({ settings: { gatewayUrl: ${JSON.stringify(gateway.url)}, lang: 'fr' } })`);
}, 120_000);

afterAll(async () => {
  await firefox?.close();
  await gateway?.stop();
  await sogo?.stop();
});

const waitFor = waitUntil;

describe('Firefox ESR: popup end to end', () => {
  it('creates a room, copies it, shares by e-mail, downloads the .ics and deletes it', async () => {
    await firefox.navigate(tab, `${origin}/popup.html`);
    const text = (selector: string) => firefox.evaluate<string | null>(tab, `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);
    await waitFor(
      () => text('#auth-state'),
      (v) => v === 'Mode local de la passerelle : aucune connexion nécessaire.',
      'auth state',
    );
    expect(await firefox.evaluate(tab, `document.documentElement.lang`)).toBe('fr');

    await firefox.evaluate(tab, `(document.getElementById('title').value = 'Point Firefox', document.getElementById('create').click(), true)`);
    const url = (await waitFor(
      () => text('#link'),
      (v) => !!v && v.startsWith('https://'),
      'link shown',
    ))!;
    const rooms = await gatewayRooms(gateway);
    expect(rooms.map((r) => r.url)).toEqual([url]);
    expect(rooms[0]!.title).toBe('Point Firefox');
    expect(await firefox.evaluate(tab, `document.activeElement.id`)).toBe('result-heading');
    expect(await firefox.evaluate(tab, `document.getElementById('join').href`)).toBe(url);

    await firefox.evaluate(tab, `(document.getElementById('copy').click(), true)`);
    await waitFor(
      () => text('#status'),
      (v) => v === 'Lien copié dans le presse-papiers.',
      'copied',
    );

    const mailto = await waitFor(
      () => firefox.evaluate<string>(tab, `document.getElementById('share').href`),
      (v) => decodeURIComponent(v).includes('-- Visio ---'),
      'mailto with the invitation',
    );
    expect(decodeURIComponent(mailto)).toContain(url);

    await firefox.evaluate(tab, `(document.getElementById('ics').click(), true)`);
    await waitFor(
      () => text('#status'),
      (v) => v === 'Invitation .ics téléchargée.',
      '.ics downloaded',
    );
    const code = url.split('/').pop()!;
    const file = await waitFor(
      async () => readdirSync(firefox.downloads).find((f) => f.endsWith('.ics') && !f.endsWith('.part')),
      (v) => !!v,
      'file in downloads',
    );
    expect(file).toBe(`visio-${code}.ics`);
    // Firefox creates the file under its final name before it has written it: wait for the content.
    const ics = await waitFor(
      async () => readFileSync(join(firefox.downloads, file!), 'utf8'),
      (v) => v.length > 0,
      '.ics written',
    );
    expect(ics).toContain(`X-VISIO-ROOM:${code}`);

    await waitFor(
      () => firefox.evaluate<number>(tab, `document.querySelectorAll('#recent-list li').length`),
      (n) => n === 1,
      'recent list',
    );
    await firefox.evaluate(tab, `(document.querySelector('#recent-list li button').click(), true)`);
    await waitFor(
      () => text('#status'),
      (v) => v === `Réunion ${code} supprimée.`,
      'deleted',
    );
    expect(await gatewayRooms(gateway)).toHaveLength(0);
  });
});

/** A real click (trusted, so it counts as the agent's gesture) on the first element matching the selector. */
/** A real click; retried while the element is still animating into view (SOGo's Material dialogs and buttons). */
async function click(selector: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const found = await firefox.send<{ value: Record<string, string> }>('WebDriver:FindElement', { using: 'css selector', value: selector });
      await firefox.send('WebDriver:ElementClick', { id: Object.values(found.value)[0] });
      return;
    } catch (error) {
      const message = (error as Error).message;
      if (Date.now() > deadline || !/^(element not interactable|element click intercepted|no such element)/.test(message)) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('Firefox ESR: the SOGo button on a real SOGo 5.8', () => {
  it('the options page grants the SOGo origin; the appointment editor gets the button, which fills Lieu', async () => {
    await firefox.navigate(tab, `${origin}/options.html`);
    await firefox.evaluate(tab, `(document.getElementById('calendar-kind').value = 'sogo', document.getElementById('calendar-origin').value = ${JSON.stringify(sogo.webOrigin)}, true)`);
    await click('#allow');
    await waitFor(
      () => firefox.evaluate<string>(tab, `document.getElementById('self-hosted-list').textContent`),
      (v) => v.includes(sogo.webOrigin),
      'SOGo listed',
    );
    expect(await firefox.evaluate(tab, `browser.permissions.contains({ origins: ['http://127.0.0.1/*'] })`)).toBe(true);

    await firefox.navigate(tab, `${sogo.webOrigin}/SOGo/`);
    // AngularJS keeps what reaches it through input events.
    const type = (selector: string, value: string) =>
      firefox.evaluate(
        tab,
        `(() => { const i = document.querySelector(${JSON.stringify(selector)}); i.value = ${JSON.stringify(value)}; i.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`,
      );
    await waitFor(
      () => firefox.evaluate<boolean>(tab, `!!document.querySelector('input[ng-model="app.creds.username"]')`),
      (v) => v,
      'log-in page',
    );
    await type('input[ng-model="app.creds.username"]', 'agent');
    await type('input[ng-model="app.creds.password"]', 'agent-password-ff');
    await waitFor(
      () => firefox.evaluate<boolean>(tab, `!document.querySelector('form[name="loginForm"] button[type="submit"]').disabled`),
      (v) => v,
      'log-in button enabled',
    );
    await click('form[name="loginForm"] button[type="submit"]');
    await waitFor(
      () => firefox.evaluate<string>(tab, `location.pathname + ' ' + !!document.querySelector('md-fab-trigger button.md-fab')`),
      (v) => v.endsWith('/Calendar/view true'),
      'calendar view',
      60_000,
    );
    await click('md-fab-trigger button.md-fab');
    await waitFor(
      () => firefox.evaluate<boolean>(tab, `!!document.querySelector(\`button[ng-click="list.newComponent($event, 'appointment')"]\`)?.offsetParent`),
      (v) => v,
      'speed dial open',
    );
    await click(`button[ng-click="list.newComponent($event, 'appointment')"]`);
    await waitFor(
      () => firefox.evaluate<number>(tab, `document.querySelectorAll('md-dialog [data-visio-add]').length`),
      (n) => n === 1,
      'one Visio button',
    );
    await type('input[ng-model="editor.component.summary"]', 'Point Firefox SOGo');
    await firefox.evaluate(tab, `(document.querySelector('md-dialog [data-visio-add]').shadowRoot.querySelector('button').click(), true)`);
    const location = await waitFor(
      () => firefox.evaluate<string>(tab, `document.querySelector('input[ng-model="editor.component.location"]').value`),
      (v) => v.startsWith('https://'),
      'Lieu filled',
    );
    const room = (await gatewayRooms(gateway)).find((r) => r.url === location);
    expect(room?.title).toBe('Point Firefox SOGo');
    expect(await firefox.evaluate<string>(tab, `document.querySelector('textarea[ng-model="editor.component.comment"]').value`)).toContain(location);
    const shot = await firefox.send<{ value: string }>('WebDriver:TakeScreenshot', { full: false, hash: false });
    mkdirSync(join(PACKAGE_DIR, 'test-results', 'sogo'), { recursive: true });
    writeFileSync(join(PACKAGE_DIR, 'test-results', 'sogo', 'firefox-appointment-editor.png'), Buffer.from(shot.value, 'base64'));

    // Saved: the room gets the event's schedule, read from SOGo's model in the page's main world (Firefox 128+).
    await click('md-dialog button[type="submit"]');
    const scheduled = await waitFor(
      () => gatewayRooms(gateway).then((rooms) => rooms.find((r) => r.code === room!.code)),
      (r) => !!r?.schedule,
      'room schedule',
    );
    expect(scheduled!.schedule!.timeZone).toBe('Europe/Paris');
    expect(Date.parse(scheduled!.schedule!.end)).toBeGreaterThan(Date.parse(scheduled!.schedule!.start));
  });
});
