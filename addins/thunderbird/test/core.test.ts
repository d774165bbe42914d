/** Background logic with a typed fake `messenger`, against a real gateway process on loopback. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { addToLocation, removeFromLocation, textParts, VisioAddon } from '../src/core.ts';
import { normalizeServiceUrl, readSettings, saveSettings } from '../src/settings.ts';
import { createFakeMessenger } from './fake-messenger.ts';

const INSTANCE = 'https://visio.numerique.gouv.fr';
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGatewayProcess();
});
afterAll(async () => {
  await gateway?.stop();
});

/** A loopback proxy to the gateway that can be made to refuse every request (the gateway "down"). */
async function startSwitchableProxy(target: string): Promise<{ url: string; down: boolean; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const state = { down: false };
  const server = createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection') as [string, string][]);
      fetch(`${target}${req.url}`, { method: req.method, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) }).then(
        async (r) => {
          res.writeHead(r.status, Object.fromEntries(r.headers));
          res.end(Buffer.from(await r.arrayBuffer()));
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function roomCodes(): Promise<string[]> {
  const page = (await (await fetch(`${gateway.url}/v1/rooms?limit=100`)).json()) as { items: { code: string }[] };
  return page.items.map((r) => r.code);
}

function setup(local: Record<string, unknown> = {}, managed: Record<string, unknown> | null = null) {
  const fake = createFakeMessenger({ local: { gatewayUrl: gateway.url, ...local }, managed });
  const addon = new VisioAddon(fake.messenger, { deleteGraceMs: 30 });
  addon.start();
  return { fake, addon };
}

async function press(fake: ReturnType<typeof createFakeMessenger>, addon: VisioAddon, id: string, command: 'add' | 'remove' | 'join') {
  fake.events.onCommand.fire(id, command);
  await addon.idle();
}

describe('event editor', () => {
  test('Add fills location, description, URL, CONFERENCE and X-VISIO-ROOM; the room exists', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'Comité <b>pilotage</b>', location: 'Salle 4', descriptionHTML: '<p>Ordre du jour</p>' });
    await addon.idle();
    expect(fake.editors.get(id)!.state).toMatchObject({ hasRoom: false, joinUrl: '' });
    await press(fake, addon, id, 'add');
    const e = fake.editors.get(id)!;
    const code = e.pending.room!;
    const url = `${INSTANCE}/${code}`;
    expect(e.fields.location).toBe(`Salle 4 – ${url}`);
    expect(e.pending).toEqual({ url, conference: url, room: code });
    expect(e.fields.descriptionHTML).toMatch(/^<p>Ordre du jour<\/p><div id="visio-meeting-block"/);
    // The title is escaped in the block.
    expect(e.fields.descriptionHTML).toContain('Comité &lt;b&gt;pilotage&lt;/b&gt;');
    expect(e.state).toMatchObject({ hasRoom: true, joinUrl: url, busy: false });
    expect(await roomCodes()).toContain(code);
  });

  test('discarding the editor releases the room; saving keeps it', async () => {
    const { fake, addon } = setup();
    const discarded = fake.openEditor({ title: 'A' });
    const kept = fake.openEditor({ title: 'B' });
    await press(fake, addon, discarded, 'add');
    await press(fake, addon, kept, 'add');
    const dCode = fake.editors.get(discarded)!.pending.room!;
    const kCode = fake.editors.get(kept)!.pending.room!;
    fake.close(discarded, false);
    fake.save(kept);
    fake.close(kept, true);
    await addon.idle();
    const codes = await roomCodes();
    expect(codes).not.toContain(dCode);
    expect(codes).toContain(kCode);
  });

  test('Remove before any save releases at once; Remove of a stored room releases only when saved', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'C', location: 'Salle 2' });
    await press(fake, addon, id, 'add');
    const first = fake.editors.get(id)!.pending.room!;
    await press(fake, addon, id, 'remove');
    expect(await roomCodes()).not.toContain(first);
    const e = fake.editors.get(id)!;
    expect(e.fields.location).toBe('Salle 2');
    expect(e.fields.descriptionHTML).not.toContain('visio-meeting-block');
    expect(e.pending).toEqual({ url: '', conference: '', room: '' });
    expect(e.state).toMatchObject({ hasRoom: false, joinUrl: '' });

    await press(fake, addon, id, 'add');
    const stored = fake.editors.get(id)!.pending.room!;
    fake.save(id);
    fake.close(id, true);
    await addon.idle();

    // Reopen the stored event, remove, discard: the room stays with the event.
    const again = fake.openEditor({ title: 'C', room: stored, url: `${INSTANCE}/${stored}`, conference: `${INSTANCE}/${stored}`, location: `${INSTANCE}/${stored}`, id: 'uid-c' });
    await addon.idle();
    expect(fake.editors.get(again)!.state).toMatchObject({ hasRoom: true, joinUrl: `${INSTANCE}/${stored}` });
    await press(fake, addon, again, 'remove');
    fake.close(again, false);
    await addon.idle();
    expect(await roomCodes()).toContain(stored);

    // Reopen, remove, save: now it goes.
    const third = fake.openEditor({ title: 'C', room: stored, location: `${INSTANCE}/${stored}`, id: 'uid-c' });
    await press(fake, addon, third, 'remove');
    fake.save(third);
    await addon.idle();
    expect(await roomCodes()).not.toContain(stored);
  });

  test('an editor closed while its room is being created does not leak the room', async () => {
    const { fake, addon } = setup();
    const before = await roomCodes();
    const id = fake.openEditor({ title: 'Fermée trop tôt' });
    await addon.idle();
    fake.events.onCommand.fire(id, 'add');
    fake.close(id, false);
    await addon.idle();
    expect(await roomCodes()).toEqual(before);
  });

  test('a URL that is not a Visio link is kept', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'D', url: 'https://intranet.example.gouv.fr/ordre-du-jour' });
    await press(fake, addon, id, 'add');
    expect(fake.editors.get(id)!.pending).not.toHaveProperty('url');
    fake.close(id, false);
    await addon.idle();
  });

  test('Join opens the first Visio link of the event in the browser', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'E', descriptionText: `Lien : ${INSTANCE}/ABCDEFGHIJ?x=1.` });
    await addon.idle();
    expect(fake.editors.get(id)!.state.joinUrl).toBe(`${INSTANCE}/abc-defg-hij`);
    await press(fake, addon, id, 'join');
    expect(fake.opened).toEqual([`${INSTANCE}/abc-defg-hij`]);
  });

  test('without a gateway the editor shows a readable message and nothing changes', async () => {
    const fake = createFakeMessenger({ local: {} });
    const addon = new VisioAddon(fake.messenger);
    addon.start();
    const id = fake.openEditor({ title: 'F', location: 'Salle' });
    await press(fake, addon, id, 'add');
    const e = fake.editors.get(id)!;
    expect(e.fields.location).toBe('Salle');
    expect(e.pending).toEqual({});
    expect(e.state).toMatchObject({ busy: false, message: 'Aucune passerelle Visio configurée : ouvrez les options du module.' });
  });

  test('an unreachable gateway gives the shared French message', async () => {
    const fake = createFakeMessenger({ local: { gatewayUrl: 'http://127.0.0.1:9' } });
    const addon = new VisioAddon(fake.messenger);
    addon.start();
    const id = fake.openEditor({ title: 'G' });
    await press(fake, addon, id, 'add');
    expect(fake.editors.get(id)!.state.message).toBe('Impossible de joindre le service Visio. Vérifiez votre connexion et réessayez.');
  });
});

describe('deleted events', () => {
  async function storedRoom(fake: ReturnType<typeof createFakeMessenger>, addon: VisioAddon) {
    const id = fake.openEditor({ title: 'Supprimée' });
    await press(fake, addon, id, 'add');
    const item = fake.save(id);
    fake.close(id, true);
    await addon.idle();
    return item;
  }

  test('deleting an event with X-VISIO-ROOM releases its room (after the move window)', async () => {
    const { fake, addon } = setup();
    const item = await storedRoom(fake, addon);
    await new Promise((r) => setTimeout(r, 1100));
    fake.events.onItemChanged.fire({ kind: 'deleted', item });
    await addon.idle();
    expect(await roomCodes()).not.toContain(item.room);
  });

  test('a move between calendars (added elsewhere as it is deleted) keeps the room', async () => {
    const { fake, addon } = setup();
    const item = await storedRoom(fake, addon);
    await new Promise((r) => setTimeout(r, 1100));
    fake.events.onItemChanged.fire({ kind: 'added', item: { ...item, calendarId: 'other' } });
    fake.events.onItemChanged.fire({ kind: 'deleted', item });
    await addon.idle();
    expect(await roomCodes()).toContain(item.room);
  });

  test('saved and deleted at once from the same calendar is no move: the room is released', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'Supprimée aussitôt', calendarId: 'home' });
    await press(fake, addon, id, 'add');
    const item = fake.save(id);
    fake.close(id, true);
    fake.events.onItemChanged.fire({ kind: 'deleted', item });
    await addon.idle();
    expect(await roomCodes()).not.toContain(item.room);
  });

  test('with the option off, or by policy, nothing is released; plain links are never released', async () => {
    const { fake, addon } = setup({}, { releaseOnDelete: false });
    const item = await storedRoom(fake, addon);
    await new Promise((r) => setTimeout(r, 1100));
    fake.events.onItemChanged.fire({ kind: 'deleted', item });
    fake.events.onItemChanged.fire({ kind: 'deleted', item: { ...item, room: null, id: 'x' } });
    await addon.idle();
    expect(await roomCodes()).toContain(item.room);
  });
});

describe('mail', () => {
  test('compose: HTML block at the cursor, or the text block in plain text; title from the subject', async () => {
    const { fake, addon } = setup();
    fake.composeDetails.set(7, { subject: 'Réunion "budget"' });
    fake.composeDetails.set(8, { isPlainText: true, subject: 'Texte' });
    fake.events.composeClicked.fire({ id: 7 });
    fake.events.composeClicked.fire({ id: 8 });
    await addon.idle();
    const [html, text] = fake.executed;
    expect(html!.code).toMatch(/^document\.execCommand\("insertHTML", false, "<div id=\\"visio-meeting-block\\"/);
    expect(html!.code).toContain('Réunion &quot;budget&quot;');
    expect(text!.code).toMatch(/^document\.execCommand\("insertText", false, "\\n-- Visio -+\\n/);
    expect(fake.composeBadges.get(7)).toBeNull();
  });

  test('compose errors show as a notification, never as the button label nor in the message', async () => {
    const fake = createFakeMessenger({ local: {} });
    const addon = new VisioAddon(fake.messenger);
    addon.start();
    fake.events.composeClicked.fire({ id: 3 });
    await addon.idle();
    expect(fake.executed).toEqual([]);
    expect(fake.composeBadges.get(3)).toBe('!');
    expect(fake.composeTitles.has(3)).toBe(false);
    expect(fake.notifications).toEqual([{ id: 'visio-compose-3', title: 'composeErrorTitle', message: expect.stringContaining('passerelle') }]);
  });

  test('message display: the action is enabled only with a Visio link; the popup gets the links; only those open', async () => {
    const { fake, addon } = setup();
    fake.fullMessages.set(1, {
      contentType: 'multipart/alternative',
      parts: [
        { contentType: 'text/plain', body: `Rejoindre : ${INSTANCE}/xyz-abcd-efg` },
        { contentType: 'text/html', body: `<a href="${INSTANCE}/xyz-abcd-efg">x</a>` },
      ],
    });
    fake.fullMessages.set(2, { contentType: 'text/plain', body: 'https://evil.example/?u=https://visio.numerique.gouv.fr/abc-defg-hij' });
    fake.events.messagesDisplayed.fire({ id: 11 }, [{ id: 1, subject: 'a' }]);
    fake.events.messagesDisplayed.fire({ id: 12 }, { messages: [{ id: 2, subject: 'b' }] });
    await addon.idle();
    expect(fake.actionState.get(11)).toBe(true);
    expect(fake.actionState.get(12)).toBe(false);
    expect(await fake.messenger.runtime.sendMessage({ type: 'message-links', tabId: 11 })).toEqual([{ code: 'xyz-abcd-efg', url: `${INSTANCE}/xyz-abcd-efg` }]);
    expect(await fake.messenger.runtime.sendMessage({ type: 'open-link', url: 'https://evil.example/' })).toBe(false);
    expect(await fake.messenger.runtime.sendMessage({ type: 'open-link', url: `${INSTANCE}/xyz-abcd-efg` })).toBe(true);
    expect(fake.opened).toEqual([`${INSTANCE}/xyz-abcd-efg`]);
  });

  test('an invitation whose calendar part is an attachment (iMIP) enables Join; other attachments are not read', async () => {
    const { fake, addon } = setup();
    const ics = ['BEGIN:VCALENDAR', 'METHOD:REQUEST', 'BEGIN:VEVENT', `LOCATION:Salle B – ${INSTANCE}/xyz-abcd-e`, ' fg', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
    fake.fullMessages.set(31, { contentType: 'multipart/mixed', parts: [{ contentType: 'text/plain', body: 'Invitation' }] });
    fake.attachments.set(31, [{ contentType: 'text/calendar', name: 'invite.ics', partName: '1.2', content: ics }]);
    fake.fullMessages.set(32, { contentType: 'multipart/mixed', parts: [{ contentType: 'text/plain', body: 'Pièce jointe' }] });
    fake.attachments.set(32, [{ contentType: 'application/pdf', name: 'ordre.pdf', partName: '1.2', content: `${INSTANCE}/xyz-abcd-efg` }]);
    fake.events.messagesDisplayed.fire({ id: 5 }, [{ id: 31, subject: 'Invitation' }]);
    await addon.idle();
    expect(fake.actionState.get(5)).toBe(true);
    expect(addon.linksForTab(5).map((l) => l.code)).toEqual(['xyz-abcd-efg']);
    fake.events.messagesDisplayed.fire({ id: 6 }, [{ id: 32, subject: 'PDF' }]);
    await addon.idle();
    expect(fake.actionState.get(6)).toBe(false);
  });

  test('textParts walks nested parts', () => {
    expect(textParts({ parts: [{ contentType: 'text/plain', body: 'a' }, { contentType: 'image/png', body: 'x' }, { parts: [{ contentType: 'text/html', body: 'b' }] }] })).toEqual(['a', 'b']);
  });
});

describe('settings, policies and sign-in', () => {
  test('service URLs: https anywhere, http only on loopback, nothing else', () => {
    expect(normalizeServiceUrl('https://gw.example.gouv.fr/visio/')).toBe('https://gw.example.gouv.fr/visio');
    expect(normalizeServiceUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeServiceUrl('http://gw.example.gouv.fr')).toBeNull();
    expect(normalizeServiceUrl('https://user:pw@gw.example.gouv.fr')).toBeNull();
    expect(normalizeServiceUrl('javascript:alert(1)')).toBeNull();
    expect(normalizeServiceUrl('https://gw.example.gouv.fr/?next=x')).toBeNull();
  });

  test('managed values (enterprise policy) win and cannot be overwritten', async () => {
    const fake = createFakeMessenger({
      local: { gatewayUrl: 'https://mine.example.fr', lang: 'en' },
      managed: { gatewayUrl: 'https://policy.example.gouv.fr', instanceUrl: 'https://visio.example.gouv.fr' },
    });
    const s = await readSettings(fake.messenger);
    expect(s).toMatchObject({ gatewayUrl: 'https://policy.example.gouv.fr', instanceUrl: 'https://visio.example.gouv.fr', lang: 'en', releaseOnDelete: true });
    expect(s.managed.sort()).toEqual(['gatewayUrl', 'instanceUrl']);
    expect(await saveSettings(fake.messenger, { gatewayUrl: 'https://other.example.fr', lang: 'fr' })).toEqual({ ok: true });
    expect(fake.local.gatewayUrl).toBe('https://mine.example.fr');
    expect(fake.local.lang).toBe('fr');
  });

  test('an invalid policy value locks its field, is reported as invalid and logged, and the editor says so', async () => {
    const fake = createFakeMessenger({ local: { gatewayUrl: 'https://mine.example.fr' }, managed: { gatewayUrl: 'http://passerelle.example.gouv.fr', lang: 'de' } });
    const s = await readSettings(fake.messenger);
    expect(s.gatewayUrl).toBeNull();
    expect(s.managed).toEqual(expect.arrayContaining(['gatewayUrl', 'lang']));
    expect(s.invalidManaged).toEqual({ gatewayUrl: 'http://passerelle.example.gouv.fr', lang: 'de' });
    // The agent cannot put their own value in its place.
    await saveSettings(fake.messenger, { gatewayUrl: 'https://other.example.fr' });
    expect(fake.local.gatewayUrl).toBe('https://mine.example.fr');
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void warnings.push(m);
    try {
      const addon = new VisioAddon(fake.messenger);
      addon.start();
      const id = fake.openEditor({ title: 'Politique' });
      await press(fake, addon, id, 'add');
      expect(fake.editors.get(id)!.state.message).toBe('errorGatewayPolicyInvalid(http://passerelle.example.gouv.fr)');
    } finally {
      console.warn = warn;
    }
    expect(warnings).toContain('Visio: policy value gatewayUrl set by the administrator is invalid and not used: http://passerelle.example.gouv.fr');
  });

  test('the invitation language follows Thunderbird unless one was chosen; choosing "as Thunderbird" unpins it', async () => {
    const fake = createFakeMessenger({ local: {}, uiLanguage: 'en-US' });
    expect(await readSettings(fake.messenger)).toMatchObject({ lang: 'en', langChosen: false });
    await saveSettings(fake.messenger, { lang: 'fr' });
    expect(await readSettings(fake.messenger)).toMatchObject({ lang: 'fr', langChosen: true });
    await saveSettings(fake.messenger, { lang: '' });
    expect(await readSettings(fake.messenger)).toMatchObject({ lang: 'en', langChosen: false });
  });

  test('an invalid URL is refused and nothing is saved', async () => {
    const fake = createFakeMessenger({ local: { gatewayUrl: 'https://mine.example.fr' } });
    expect(await saveSettings(fake.messenger, { gatewayUrl: 'http://evil.example', releaseOnDelete: false })).toEqual({ ok: false, field: 'gatewayUrl' });
    expect(fake.local).toEqual({ gatewayUrl: 'https://mine.example.fr' });
  });

  test('French by default, English when Thunderbird is in English', async () => {
    expect((await readSettings(createFakeMessenger({ uiLanguage: 'de' }).messenger)).lang).toBe('fr');
    expect((await readSettings(createFakeMessenger({ uiLanguage: 'en-US' }).messenger)).lang).toBe('en');
  });

  test('location helpers add and remove only the room link', () => {
    const url = `${INSTANCE}/abc-defg-hij`;
    expect(addToLocation('', url)).toBe(url);
    expect(addToLocation('Salle 4', url)).toBe(`Salle 4 – ${url}`);
    expect(addToLocation(`Salle 4 – ${url}`, url)).toBe(`Salle 4 – ${url}`);
    expect(removeFromLocation(`Salle 4 – ${url}`, 'abc-defg-hij', INSTANCE)).toBe('Salle 4');
    expect(removeFromLocation(`${url} – Salle 4`, 'abc-defg-hij', INSTANCE)).toBe('Salle 4');
    expect(removeFromLocation(`Salle 4 – ${INSTANCE}/xyz-abcd-efg`, 'abc-defg-hij', INSTANCE)).toBe(`Salle 4 – ${INSTANCE}/xyz-abcd-efg`);
  });
});

describe('no room left behind', () => {
  test('a fill that fails releases the room at once and gives the buttons back', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'Échec', location: 'Salle 1' });
    await addon.idle();
    const before = await roomCodes();
    fake.failures.setFields = new Error("could not fill the editor's fields: aUrl is undefined");
    await press(fake, addon, id, 'add');
    const e = fake.editors.get(id)!;
    expect(e.fields.location).toBe('Salle 1');
    expect(e.pending).toEqual({});
    expect(e.state).toMatchObject({ busy: false, message: 'editorFillFailed' });
    expect(await roomCodes()).toEqual(before);
    expect(fake.local.unsavedRooms).toEqual({});
  });

  test('the room is recorded in storage before its link is shown, and forgotten once saved', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'Enregistrée' });
    let recordedBeforeFill = false;
    const setFields = fake.messenger.visioCalendar.setFields;
    fake.messenger.visioCalendar.setFields = async (viewId, changes) => {
      if (changes.room) recordedBeforeFill = changes.room in ((fake.local.unsavedRooms ?? {}) as object);
      return setFields(viewId, changes);
    };
    await press(fake, addon, id, 'add');
    expect(recordedBeforeFill).toBe(true);
    fake.save(id);
    await addon.idle();
    expect(fake.local.unsavedRooms).toEqual({});
  });

  test('rooms a stopped session left unsaved are released at the next start, retried while the gateway is down', async () => {
    // Session 1: a room added, then Thunderbird stops (no close, no save).
    const first = setup();
    const id = first.fake.openEditor({ title: 'Coupure' });
    await press(first.fake, first.addon, id, 'add');
    const code = first.fake.editors.get(id)!.pending.room!;
    const stored = structuredClone(first.fake.local);
    // Session 2 starts with the gateway unreachable: nothing released, the record stays.
    const down = createFakeMessenger({ local: { ...stored, gatewayUrl: 'http://127.0.0.1:9' } });
    const offline = new VisioAddon(down.messenger, { retryMs: 20 });
    offline.start();
    await offline.idle();
    expect(Object.keys(down.local.unsavedRooms as object)).toEqual([code]);
    expect(await roomCodes()).toContain(code);
    // The gateway is back: the retry releases it.
    down.local.gatewayUrl = gateway.url;
    down.events.storageChanged.fire({ gatewayUrl: { newValue: gateway.url } }, 'local');
    await expect.poll(roomCodes, { timeout: 5_000 }).not.toContain(code);
    await expect.poll(() => down.local.unsavedRooms, { timeout: 5_000 }).toEqual({});
    offline.stop();
  });

  test('an editor closed unsaved while the gateway is down: its room is released once the gateway is back', async () => {
    const proxy = await startSwitchableProxy(gateway.url);
    const fake = createFakeMessenger({ local: { gatewayUrl: proxy.url } });
    const addon = new VisioAddon(fake.messenger, { retryMs: 20, deleteGraceMs: 30 });
    addon.start();
    try {
      const id = fake.openEditor({ title: 'Panne' });
      await press(fake, addon, id, 'add');
      const code = fake.editors.get(id)!.pending.room!;
      proxy.down = true;
      fake.close(id, false);
      await addon.idle();
      expect(await roomCodes()).toContain(code);
      expect(Object.keys(fake.local.unsavedRooms as object)).toEqual([code]);
      proxy.down = false;
      await expect.poll(roomCodes, { timeout: 5_000 }).not.toContain(code);
      await expect.poll(() => fake.local.unsavedRooms, { timeout: 5_000 }).toEqual({});
    } finally {
      addon.stop();
      await proxy.close();
    }
  });

  test('compose: closed unsent releases the room; sent or saved as a draft keeps it', async () => {
    const { fake, addon } = setup();
    for (const tab of [11, 12, 13]) {
      fake.composeDetails.set(tab, { subject: `Message ${tab}` });
      fake.events.composeClicked.fire({ id: tab });
    }
    await addon.idle();
    const codes = Object.keys(fake.local.unsavedRooms as object);
    expect(codes).toHaveLength(3);
    // By the tab each script ran in: the three creations run at once and finish in any order.
    const byTab = new Map([11, 12, 13].map((tab) => [tab, fake.executed.find((e) => e.tabId === tab)!.code.match(/[a-z]{3}-[a-z]{4}-[a-z]{3}/)![0]]));
    fake.events.afterSend.fire({ id: 11 }, { mode: 'sendNow' });
    fake.events.afterSave.fire({ id: 12 }, { mode: 'draft' });
    for (const tab of [11, 12, 13]) fake.events.tabRemoved.fire(tab, {});
    await addon.idle();
    const left = await roomCodes();
    expect(left).toContain(byTab.get(11));
    expect(left).toContain(byTab.get(12));
    expect(left).not.toContain(byTab.get(13));
    expect(fake.local.unsavedRooms).toEqual({});
  });
});

describe('room schedules', () => {
  const MEETING = { start: '2026-12-10T09:00:00Z', end: '2026-12-10T10:00:00Z', timeZone: 'Europe/Paris' };
  const MOVED = { start: '2026-12-11T14:00:00Z', end: '2026-12-11T15:30:00Z', timeZone: 'Europe/Paris' };

  async function roomOnGateway(code: string): Promise<{ schedule?: unknown; state: string }> {
    const r = await fetch(`${gateway.url}/v1/rooms/${code}`);
    expect(r.status).toBe(200);
    return (await r.json()) as { schedule?: unknown; state: string };
  }

  test('saving gives the room its schedule; a move seen by the add-on updates it, a change of something else sends nothing', async () => {
    const proxy = await startSwitchableProxy(gateway.url);
    const fake = createFakeMessenger({ local: { gatewayUrl: proxy.url } });
    const addon = new VisioAddon(fake.messenger, { deleteGraceMs: 30 });
    addon.start();
    try {
      const id = fake.openEditor({ title: 'Revue de projet' });
      await press(fake, addon, id, 'add');
      const code = fake.editors.get(id)!.pending.room!;
      expect((await roomOnGateway(code)).schedule).toBeUndefined();
      const saved = fake.save(id, 'uid-revue', { schedule: MEETING });
      await addon.idle();
      expect(await roomOnGateway(code)).toMatchObject({ schedule: MEETING, state: 'open' });
      expect(fake.local.unsentSchedules).toEqual({});
      // Dragged to another day in the calendar view: the stored item is modified.
      fake.events.onItemChanged.fire({ kind: 'modified', item: { ...saved, schedule: MOVED }, oldItem: saved });
      await addon.idle();
      expect((await roomOnGateway(code)).schedule).toEqual(MOVED);
      // Renamed only: the schedule is the one the gateway has, nothing is sent (the gateway down would show it).
      proxy.down = true;
      fake.events.onItemChanged.fire({ kind: 'modified', item: { ...saved, title: 'Revue', schedule: MOVED }, oldItem: { ...saved, schedule: MOVED } });
      await addon.idle();
      expect(fake.local.unsentSchedules).toEqual({});
    } finally {
      addon.stop();
      await proxy.close();
    }
  });

  test('a schedule the gateway could not take is kept in storage and sent once it is back, also by the next session', async () => {
    const proxy = await startSwitchableProxy(gateway.url);
    const fake = createFakeMessenger({ local: { gatewayUrl: proxy.url } });
    const addon = new VisioAddon(fake.messenger, { retryMs: 20, deleteGraceMs: 30 });
    addon.start();
    let code = '';
    try {
      const id = fake.openEditor({ title: 'Séminaire' });
      await press(fake, addon, id, 'add');
      code = fake.editors.get(id)!.pending.room!;
      proxy.down = true;
      fake.save(id, 'uid-seminaire', { schedule: { ...MEETING, recurrenceEnd: null } });
      await addon.idle();
      expect(fake.local.unsentSchedules).toEqual({ [code]: { ...MEETING, recurrenceEnd: null } });
      expect((await roomOnGateway(code)).schedule).toBeUndefined();
      proxy.down = false;
      await expect.poll(async () => (await roomOnGateway(code)).schedule, { timeout: 5_000 }).toEqual({ ...MEETING, recurrenceEnd: null });
      await expect.poll(() => fake.local.unsentSchedules, { timeout: 5_000 }).toEqual({});
    } finally {
      addon.stop();
      await proxy.close();
    }
    // A session that stopped before it could send: the next start sends what storage holds.
    const next = createFakeMessenger({ local: { gatewayUrl: gateway.url, unsentSchedules: { [code]: MOVED } } });
    const restarted = new VisioAddon(next.messenger, { retryMs: 20 });
    restarted.start();
    await restarted.idle();
    expect((await roomOnGateway(code)).schedule).toEqual(MOVED);
    expect(next.local.unsentSchedules).toEqual({});
    restarted.stop();
  });

  test('saved as cancelled (STATUS:CANCELLED), or cancelled by a sync: the room ends as on a delete; with the option off it stays', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'Annulée dans l’éditeur' });
    await press(fake, addon, id, 'add');
    const code = fake.editors.get(id)!.pending.room!;
    fake.save(id, 'uid-annulee-editeur', { schedule: MEETING, cancelled: true });
    await addon.idle();
    expect(await roomOnGateway(code)).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect((await roomOnGateway(code)).schedule).toBeUndefined();

    const other = fake.openEditor({ title: 'Annulée par synchronisation' });
    await press(fake, addon, other, 'add');
    const synced = fake.save(other, 'uid-annulee-sync', { schedule: MEETING });
    fake.close(other, true);
    await addon.idle();
    fake.events.onItemChanged.fire({ kind: 'modified', item: { ...synced, cancelled: true }, oldItem: synced });
    await addon.idle();
    expect(await roomOnGateway(synced.room!)).toMatchObject({ state: 'ended' });

    const kept = setup({}, { releaseOnDelete: false });
    const third = kept.fake.openEditor({ title: 'Annulée, option coupée' });
    await press(kept.fake, kept.addon, third, 'add');
    const room = kept.fake.editors.get(third)!.pending.room!;
    kept.fake.save(third, 'uid-annulee-option', { schedule: MEETING, cancelled: true });
    await kept.addon.idle();
    expect(await roomOnGateway(room)).toMatchObject({ state: 'open', schedule: MEETING });
  });

  test('a zone the gateway does not know (an imported event’s TZID): the same instants are sent in UTC', async () => {
    const { fake, addon } = setup();
    const id = fake.openEditor({ title: 'Fuseau importé' });
    await press(fake, addon, id, 'add');
    const code = fake.editors.get(id)!.pending.room!;
    fake.save(id, 'uid-fuseau', { schedule: { ...MEETING, timeZone: 'W. Europe Standard Time' } });
    await addon.idle();
    expect((await roomOnGateway(code)).schedule).toEqual({ ...MEETING, timeZone: 'UTC' });
    expect(fake.local.unsentSchedules).toEqual({});
  });

  test("a room that is not the agent's (an invitation's) or was ended: the refusal is final, nothing is retried", async () => {
    const { fake, addon } = setup();
    const foreign = { title: 'Invitation', location: `${INSTANCE}/abc-defg-hij`, descriptionText: '', room: 'abc-defg-hij', isEvent: true, id: 'uid-invitation' };
    fake.events.onItemChanged.fire({ kind: 'modified', item: { ...foreign, schedule: MOVED }, oldItem: { ...foreign, schedule: MEETING } });
    await addon.idle();
    expect(fake.local.unsentSchedules).toEqual({});
    const id = fake.openEditor({ title: 'Annulée' });
    await press(fake, addon, id, 'add');
    const code = fake.editors.get(id)!.pending.room!;
    const saved = fake.save(id, 'uid-annulee', { schedule: MEETING });
    await addon.idle();
    expect((await fetch(`${gateway.url}/v1/rooms/${code}`, { method: 'DELETE' })).status).toBe(200);
    fake.events.onItemChanged.fire({ kind: 'modified', item: { ...saved, schedule: MOVED }, oldItem: saved });
    await addon.idle();
    expect(fake.local.unsentSchedules).toEqual({});
    expect(await roomOnGateway(code)).toMatchObject({ schedule: MEETING, state: 'ended' });
  });
});

describe('recurring events', () => {
  test('removing the room from one occurrence keeps it while the series carries it; removing it from the series releases it', async () => {
    const { fake, addon } = setup();
    const master = fake.openEditor({ title: 'Hebdo' });
    await press(fake, addon, master, 'add');
    const code = fake.editors.get(master)!.pending.room!;
    fake.save(master);
    fake.close(master, true);
    await addon.idle();
    // One occurrence: saved without the room, the master still carries it (seriesRooms from the experiment).
    const occurrence = fake.openEditor({ title: 'Hebdo', room: code, location: `${INSTANCE}/${code}`, id: 'uid-hebdo' });
    await press(fake, addon, occurrence, 'remove');
    fake.editors.get(occurrence)!.fields.seriesRooms = [code];
    fake.save(occurrence);
    fake.close(occurrence, true);
    await addon.idle();
    expect(await roomCodes()).toContain(code);
    // The whole series, no item left with it.
    const series = fake.openEditor({ title: 'Hebdo', room: code, location: `${INSTANCE}/${code}`, id: 'uid-hebdo' });
    await press(fake, addon, series, 'remove');
    fake.editors.get(series)!.fields.seriesRooms = [];
    fake.save(series);
    await addon.idle();
    expect(await roomCodes()).not.toContain(code);
  });
});

describe('access level', () => {
  test("the editor offers the gateway's levels, its default preselected; the chosen one is sent", async () => {
    const { fake, addon } = setup();
    const config = (await (await fetch(`${gateway.url}/v1/config`)).json()) as { accessLevels: string[]; defaultAccessLevel: string };
    const id = fake.openEditor({ title: 'Accès' });
    await addon.idle();
    expect(fake.editors.get(id)!.state).toMatchObject({ accessLevels: config.accessLevels, accessLevel: config.defaultAccessLevel });
    const chosen = config.accessLevels.find((l) => l !== config.defaultAccessLevel)!;
    fake.editors.get(id)!.fields.accessLevel = chosen;
    await press(fake, addon, id, 'add');
    const code = fake.editors.get(id)!.pending.room!;
    const room = (await (await fetch(`${gateway.url}/v1/rooms/${code}`)).json()) as { accessLevel: string };
    expect(room.accessLevel).toBe(chosen);
  });
});
