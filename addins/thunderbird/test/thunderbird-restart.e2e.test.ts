/**
 * No room left behind when Thunderbird stops: a room added in an event editor and one inserted in a compose
 * window, then Thunderbird killed (SIGKILL, as a crash or a power cut); the next start on the same profile
 * releases both (checked in the real gateway's store). On each supported ESR.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { launchThunderbird, thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { ADDON_ID, editorScripts as E, launchWithAddon } from './tb-scripts.ts';

describe.each(thunderbirdInstallations().map((t) => [t.major, t.executable] as const))('Thunderbird %s stopped mid-edit', (_major, executable) => {
  let gateway: GatewayProcess;
  let tb: Thunderbird | undefined;

  beforeAll(async () => {
    gateway = await startGatewayProcess();
  });
  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
  });

  async function roomCodes(): Promise<string[]> {
    const r = await fetch(`${gateway.url}/v1/rooms?limit=100`);
    expect(r.status).toBe(200);
    return ((await r.json()) as { items: { code: string }[] }).items.map((room) => room.code);
  }

  /** The add-on's storage.local as Thunderbird wrote it to disk (JSON backend). */
  function storedOnDisk(profile: string): string {
    const file = join(profile, 'browser-extension-data', ADDON_ID, 'storage.js');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  test('rooms of an unsaved editor and an unsent compose window are released at the next start', async () => {
    tb = await launchWithAddon(executable, { gatewayUrl: gateway.url, lang: 'fr' });

    const view = await E.openNewEvent(tb, 'Jamais enregistrée');
    await tb.chrome(E.press, view, 'add');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the fields to be filled' });
    const editorCode = fields.location.slice(-12);
    const body = await E.composeAndInsert(tb, 'Jamais envoyé', false, true);
    const composeCode = /visio\.numerique\.gouv\.fr\/([a-z]{3}-[a-z]{4}-[a-z]{3})/.exec(body)![1]!;
    expect(await roomCodes()).toEqual(expect.arrayContaining([editorCode, composeCode]));
    // Both are on disk before anything closes (storage.local's JSON file is written shortly after a change).
    const profile = tb.profile;
    await expect.poll(() => storedOnDisk(profile), { timeout: 15_000 }).toContain(editorCode);
    await expect.poll(() => storedOnDisk(profile), { timeout: 15_000 }).toContain(composeCode);

    await tb.kill();
    tb = undefined;
    // Nothing released while Thunderbird is down.
    expect(await roomCodes()).toEqual(expect.arrayContaining([editorCode, composeCode]));

    tb = await launchThunderbird({ executable, profile });
    await tb.waitFor(E.addonActive, [ADDON_ID], { what: 'the add-on to be active after the restart' });
    await expect.poll(roomCodes, { timeout: 20_000 }).not.toContain(editorCode);
    await expect.poll(roomCodes, { timeout: 20_000 }).not.toContain(composeCode);
    await expect.poll(() => JSON.parse(storedOnDisk(profile) || '{}').unsavedRooms, { timeout: 15_000 }).toEqual({});
  });
});
