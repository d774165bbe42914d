/**
 * The Firefox package in Debian's Firefox ESR: the popup flow end to end against a real gateway. The
 * extension's UUID is fixed through `extensions.webextensions.uuids`, so the gateway can allow its origin
 * and the test can open moz-extension://<uuid>/popup.html.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFirefox, type Firefox } from '@visio/testing/firefox';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { GECKO_ID } from '../scripts/manifest.mjs';
import { builtDir, gatewayRooms } from './harness.ts';

const uuid = randomUUID();
const origin = `moz-extension://${uuid}`;
let gateway: GatewayProcess;
let firefox: Firefox;
let tab: string;

beforeAll(async () => {
  gateway = await startGatewayProcess({ LOG_LEVEL: 'warn', CORS_ORIGINS: origin });
  firefox = await launchFirefox({ extensions: { [GECKO_ID]: builtDir('firefox') }, prefs: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }) } });
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
}, 60_000);

afterAll(async () => {
  await firefox?.close();
  await gateway?.stop();
});

const waitFor = async <T>(what: () => Promise<T>, ok: (v: T) => boolean, label: string): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${label}: last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('Firefox ESR: popup end to end', () => {
  it('creates a room, copies it, shares by e-mail, downloads the .ics and deletes it', async () => {
    await firefox.navigate(tab, `${origin}/popup.html`);
    const text = (selector: string) => firefox.evaluate<string | null>(tab, `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);
    await waitFor(() => text('#auth-state'), (v) => v === 'Mode local de la passerelle : aucune connexion nécessaire.', 'auth state');
    expect(await firefox.evaluate(tab, `document.documentElement.lang`)).toBe('fr');

    await firefox.evaluate(tab, `(document.getElementById('title').value = 'Point Firefox', document.getElementById('create').click(), true)`);
    const url = (await waitFor(() => text('#link'), (v) => !!v && v.startsWith('https://'), 'link shown'))!;
    const rooms = await gatewayRooms(gateway);
    expect(rooms.map((r) => r.url)).toEqual([url]);
    expect(rooms[0]!.title).toBe('Point Firefox');
    expect(await firefox.evaluate(tab, `document.activeElement.id`)).toBe('result-heading');
    expect(await firefox.evaluate(tab, `document.getElementById('join').href`)).toBe(url);

    await firefox.evaluate(tab, `(document.getElementById('copy').click(), true)`);
    await waitFor(() => text('#status'), (v) => v === 'Lien copié dans le presse-papiers.', 'copied');

    const mailto = await waitFor(() => firefox.evaluate<string>(tab, `document.getElementById('share').href`), (v) => decodeURIComponent(v).includes('-- Visio ---'), 'mailto with the invitation');
    expect(decodeURIComponent(mailto)).toContain(url);

    await firefox.evaluate(tab, `(document.getElementById('ics').click(), true)`);
    await waitFor(() => text('#status'), (v) => v === 'Invitation .ics téléchargée.', '.ics downloaded');
    const code = url.split('/').pop()!;
    const file = await waitFor(async () => readdirSync(firefox.downloads).find((f) => f.endsWith('.ics') && !f.endsWith('.part')), (v) => !!v, 'file in downloads');
    expect(file).toBe(`visio-${code}.ics`);
    // Firefox creates the file under its final name before it has written it: wait for the content.
    const ics = await waitFor(async () => readFileSync(join(firefox.downloads, file!), 'utf8'), (v) => v.length > 0, '.ics written');
    expect(ics).toContain(`X-VISIO-ROOM:${code}`);

    await waitFor(() => firefox.evaluate<number>(tab, `document.querySelectorAll('#recent-list li').length`), (n) => n === 1, 'recent list');
    await firefox.evaluate(tab, `(document.querySelector('#recent-list li button').click(), true)`);
    await waitFor(() => text('#status'), (v) => v === `Réunion ${code} supprimée.`, 'deleted');
    expect(await gatewayRooms(gateway)).toHaveLength(0);
  });
});
