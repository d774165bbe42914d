/** Every command against the Office double, with the real gateway behind the shared client. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVisioClient, type VisioClient } from '@visio/shared/client';
import { hasInvitation, removeInvitationHtml, renderInvitation } from '@visio/shared/invitation';
import { removeInvitation } from '@visio/shared/event-fields';
import { findForeignMeetings } from '@visio/shared/foreign-meetings';
import { findVisioLinks } from '@visio/shared/links';
import { corpusBody } from '@visio/testing/foreign-corpus';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import {
  addMeeting,
  EVENT_UID_PROPERTY,
  insertLink,
  joinMeeting,
  onAppointmentChanged,
  onNewAppointment,
  removeMeeting,
  resetConfigCache,
  ROOM_PROPERTY,
  switchMeeting,
  type CommandDeps,
} from '../src/commands/commands.ts';
import { NOTIFICATION_MAX, STRINGS } from '../src/i18n.ts';
import { officeItem } from '../src/office/item.ts';
import { readSettings } from '../src/settings.ts';
import { installOfficeDouble, LIMITS, type OfficeDouble, type Scenario } from './office-double.ts';
import { owaRoundTrip, windowsText, wordBlock, wordDocument } from './outlook-bodies.ts';
import { DESKTOP_HTML, INSTANCE, LOCATION_PLACES, OWA_HTML, OWA_WITH_OLD_BLOCK, TEAMS_BLOCK, TEXT_BODY } from './fixtures.ts';

let gateway: GatewayProcess;
let client: VisioClient;

beforeAll(async () => {
  gateway = await startGatewayProcess({ LOG_LEVEL: 'warn' });
  client = createVisioClient({ baseUrl: gateway.url, clientName: 'outlook' });
});
afterAll(async () => {
  await gateway?.stop();
});
beforeEach(() => resetConfigCache());

function setup(scenario: Scenario, overrides: Partial<CommandDeps> = {}): { double: OfficeDouble; deps: CommandDeps; opened: string[] } {
  const target: Record<string, unknown> = {};
  const double = installOfficeDouble(scenario, target);
  const office = target.Office as typeof Office;
  const opened: string[] = [];
  const settings = readSettings(office.context.roamingSettings);
  const lang = (scenario.displayLanguage ?? 'fr-FR').startsWith('fr') ? 'fr' : 'en';
  const deps: CommandDeps = { item: officeItem(office.context.mailbox), client, settings, lang, open: async (u) => void opened.push(u), ...overrides };
  return { double, deps, opened };
}

/** The agent types `typed` in the body while the gateway creates the room. */
function setupTypingDuringCall(scenario: Scenario, typed: string) {
  const holder: { double?: OfficeDouble } = {};
  const slow: VisioClient = {
    ...client,
    createRoom: async (...args: Parameters<VisioClient['createRoom']>) => {
      const room = await client.createRoom(...args);
      holder.double!.agentTypes(typed);
      return room;
    },
  };
  const made = setup(scenario, { client: slow });
  holder.double = made.double;
  return made;
}

const appointment = (body: string, extra: Partial<Scenario> = {}): Scenario => ({
  itemType: 'appointment',
  mode: 'compose',
  bodyType: 'html',
  body,
  location: LOCATION_PLACES,
  subject: 'Point <hebdo> & suivi',
  ...extra,
});

async function roomsFor(code: string): Promise<number> {
  return (await fetch(`${gateway.url}/v1/rooms/${code}`)).status;
}

const roomOnGateway = async (code: string) => (await fetch(`${gateway.url}/v1/rooms/${code}`)).json();
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

describe('Add Visio meeting', () => {
  it('writes the block at the end of an Outlook on the web body and the link after the other places', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    const result = await addMeeting(deps);
    expect(result).toMatchObject({ ok: true, message: STRINGS.fr.added });
    const { state } = double;
    const room = state.customProperties[ROOM_PROPERTY] as { code: string; url: string };
    expect(room.url).toBe(`${INSTANCE}/${room.code}`);
    expect(state.body.startsWith(OWA_HTML)).toBe(true);
    expect(removeInvitationHtml(state.body)).toBe(OWA_HTML);
    expect(state.body).toContain('Point &lt;hebdo&gt; &amp; suivi');
    expect(state.location).toBe(`${LOCATION_PLACES}; ${room.url}`);
    expect(typeof state.customProperties[EVENT_UID_PROPERTY]).toBe('string');
    expect(state.notificationLog.map((n) => n.type)).toEqual(['progressIndicator', 'informationalMessage']);
    expect(state.notificationLog[0]!.message).toBe(STRINGS.fr.adding);
    expect(await roomsFor(room.code)).toBe(200);
  });

  it('a second click reuses the same room: one block, one link, the gateway keeps one room', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    const first = await addMeeting(deps);
    const bodyAfterFirst = double.state.body;
    const locationAfterFirst = double.state.location;
    const second = await addMeeting(deps);
    expect(second).toMatchObject({ ok: true, message: STRINGS.fr.updated });
    expect(second.ok && first.ok && second.room!.code).toBe(first.ok && first.room!.code);
    expect(double.state.body).toBe(bodyAfterFirst);
    expect(double.state.location).toBe(locationAfterFirst);
    // Same content: nothing was rewritten the second time.
    expect(double.state.calls.filter((c) => c === 'body.setAsync')).toHaveLength(1);
    expect(double.state.calls.filter((c) => c === 'location.setAsync')).toHaveLength(1);
  });

  it('puts the block before </body> in a classic Outlook document', async () => {
    const { double, deps } = setup(appointment(DESKTOP_HTML, { location: '' }));
    const result = await addMeeting(deps);
    expect(result.ok).toBe(true);
    const body = double.state.body;
    expect(body.indexOf('visio-meeting-block')).toBeLessThan(body.indexOf('</body>'));
    expect(body.indexOf('visio-meeting-block')).toBeGreaterThan(body.indexOf('WordSection1'));
    expect(removeInvitationHtml(body)).toBe(DESKTOP_HTML);
    expect(double.state.location).toBe(result.ok ? result.room!.url : '');
  });

  it('replaces an earlier Visio block (x_ prefixes, nested wrappers) and its link in the location', async () => {
    const old = `${INSTANCE}/old-oldo-old`;
    const { double, deps } = setup(appointment(OWA_WITH_OLD_BLOCK, { location: `Salle 2; ${old}` }));
    const result = await addMeeting(deps);
    expect(result.ok).toBe(true);
    const codes = findVisioLinks(double.state.body, INSTANCE).map((l) => l.code);
    expect(codes).toEqual([result.ok && result.room!.code]);
    expect(double.state.body).toContain('<p>Point hebdo</p>');
    expect(double.state.body).toContain('<p>Cordialement</p>');
    expect(double.state.location).toBe(`Salle 2; ${result.ok && result.room!.url}`);
  });

  it('leaves a foreign (Teams) meeting block untouched', async () => {
    const body = `<div><p>Ordre du jour</p>${TEAMS_BLOCK}</div>`;
    const { double, deps } = setup(appointment(body));
    expect((await addMeeting(deps)).ok).toBe(true);
    expect(double.state.body).toContain(TEAMS_BLOCK);
    expect(removeInvitationHtml(double.state.body)).toBe(body);
    expect((await removeMeeting(deps)).ok).toBe(true);
    expect(double.state.body).toBe(body);
  });

  it('writes the text block into a plain-text body, and removal gives the body back exactly', async () => {
    const { double, deps } = setup(appointment(TEXT_BODY, { bodyType: 'text' }));
    const added = await addMeeting(deps);
    expect(added.ok).toBe(true);
    expect(double.state.body).toMatch(/^Bonjour,\r\n\r\nOrdre du jour en pièce jointe\.\r\n\r\n-- Visio -+\r\n/);
    expect(double.state.body).not.toMatch(/<(div|p|a)[ >]/);
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.removed });
    expect(double.state.body).toBe(TEXT_BODY);
    expect(double.state.location).toBe(LOCATION_PLACES);
  });

  it('speaks English when Office does', async () => {
    const { double, deps } = setup(appointment(OWA_HTML, { displayLanguage: 'en-GB' }));
    expect(await addMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.en.added });
    expect(double.state.body).toContain('Join the meeting');
    expect(double.state.notificationLog[0]!.message).toBe(STRINGS.en.adding);
  });

  it('uses the access level chosen in the settings', async () => {
    const { double, deps } = setup(appointment(OWA_HTML, { roamingSettings: { accessLevel: 'restricted' } }));
    const result = await addMeeting(deps);
    const room = await (await fetch(`${gateway.url}/v1/rooms/${result.ok && result.room!.code}`)).json();
    expect(room.accessLevel).toBe('restricted');
    expect(double.state.customProperties[ROOM_PROPERTY]).toBeTruthy();
  });

  it('gets a new room when the remembered one was deleted on the gateway', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    const first = await addMeeting(deps);
    await fetch(`${gateway.url}/v1/rooms/${first.ok && first.room!.code}`, { method: 'DELETE' });
    const second = await addMeeting(deps);
    expect(second.ok).toBe(true);
    expect(second.ok && second.room!.code).not.toBe(first.ok && first.room!.code);
    expect(findVisioLinks(double.state.body, INSTANCE)).toHaveLength(1);
    expect(double.state.location).toBe(`${LOCATION_PLACES}; ${second.ok && second.room!.url}`);
  });
});

describe('Passer à Visio: the foreign meeting replaced by a Visio room (bodies of the shared corpus, shared/test/fixtures/foreign-meetings)', () => {
  // Outlook-shaped bodies of the corpus (classic Outlook's Word HTML, Outlook on the web's wrappers, Exchange's
  // text), with the location Outlook writes for such a meeting (the LOCATION of the corpus' Teams ICS exports).
  const cases: [string, string, 'fr' | 'en', string, string][] = [
    ['teams/html-fr-desktop', 'html', 'fr', 'Salle 4.12; Réunion Microsoft Teams', 'Salle 4.12'],
    ['teams/html-fr-owa-divtag', 'html', 'fr', 'Réunion Microsoft Teams', ''],
    ['teams/html-fr-owa-elementtoproof', 'html', 'fr', 'Salle 4.12; Réunion Microsoft Teams', 'Salle 4.12'],
    ['teams/html-en-owa', 'html', 'en', 'Microsoft Teams Meeting', ''],
    ['teams/html-en-desktop', 'html', 'en', 'Room 2; Microsoft Teams Meeting', 'Room 2'],
    ['teams/text-fr-exchange', 'text', 'fr', 'Réunion Microsoft Teams', ''],
    ['teams/text-en-exchange', 'text', 'en', 'Microsoft Teams Meeting', ''],
    ['zoom/html-fr-desktop', 'html', 'fr', 'Salle 2; https://us06web.zoom.us/j/81234567890?pwd=x', 'Salle 2'],
    ['zoom/html-en-owa', 'html', 'en', 'https://ucla.zoom.us/j/98765432109?pwd=UjJaZk1BZUZrRzNmWUlFYnFnZz09', ''],
    ['webex/html-en-owa', 'html', 'en', 'Salle 3', 'Salle 3'],
    ['google-meet/html-fr-desktop', 'html', 'fr', 'Salle 3', 'Salle 3'],
  ];
  it.each(cases)('%s (%s, %s): block and location part gone byte for byte, one Visio room added, attendees and old service told', async (name, bodyType, lang, location, kept) => {
    const { input, expected, header } = corpusBody(name);
    const { double, deps } = setup(appointment(input, { bodyType: bodyType as 'html' | 'text', location, displayLanguage: lang === 'fr' ? 'fr-FR' : 'en-US' }));
    const result = await switchMeeting(deps);
    expect(result.ok, result.message).toBe(true);
    const room = double.state.customProperties[ROOM_PROPERTY] as { code: string; url: string };
    // The agent's own text is kept exactly: the Visio block is all that remains to take out.
    expect(removeInvitation(double.state.body, bodyType as 'html' | 'text')).toBe(expected);
    expect(findForeignMeetings(double.state.body).meetings).toEqual([]);
    expect(findVisioLinks(double.state.body, INSTANCE).map((l) => l.code)).toEqual([room.code]);
    expect(double.state.location).toBe(kept ? `${kept}; ${room.url}` : room.url);
    expect(await roomsFor(room.code)).toBe(200);
    const t = STRINGS[lang];
    const names = { teams: 'Microsoft Teams', zoom: 'Zoom', webex: 'Webex', 'google-meet': 'Google Meet' }[header.provider as 'teams'];
    expect(result.message).toBe(t.switched.replace('{names}', names));
    expect(double.state.notificationLog.map((n) => [n.type, n.message])).toEqual([
      ['progressIndicator', t.switching],
      ['informationalMessage', result.message],
    ]);
    expect(result.message.length).toBeLessThanOrEqual(NOTIFICATION_MAX);
  });

  it('a Zoom series: one room for the series, which knows the series’ end; a second click changes nothing', async () => {
    const { input } = corpusBody('zoom/html-fr-desktop');
    const { double, deps } = setup(appointment(input, { location: 'https://us06web.zoom.us/j/81234567890?pwd=x', seriesEnd: '2027-06-30' }));
    const first = await switchMeeting(deps);
    expect(first.ok).toBe(true);
    const code = first.ok ? first.room!.code : '';
    expect((await roomOnGateway(code)).schedule.recurrenceEnd).toBe('2027-06-30T23:59:59');
    const body = double.state.body;
    const again = await switchMeeting(deps);
    expect(again).toMatchObject({ ok: true, message: STRINGS.fr.nothingToSwitch });
    expect(double.state.body).toBe(body);
    expect(double.state.calls.filter((c) => c === 'body.setAsync')).toHaveLength(1);
  });

  it('an item already on Visio that still holds a Teams block keeps its room; only the Teams block goes', async () => {
    const body = `<div><p>Ordre du jour</p>${TEAMS_BLOCK}</div>`;
    const { double, deps } = setup(appointment(body, { location: 'Salle 4.12; Réunion Microsoft Teams' }));
    const added = await addMeeting(deps);
    const result = await switchMeeting(deps);
    expect(result.ok && result.room!.code).toBe(added.ok && added.room!.code);
    expect(double.state.body).not.toContain('teams.microsoft.com');
    expect(removeInvitationHtml(double.state.body)).toBe('<div><p>Ordre du jour</p></div>');
    expect(double.state.location).toBe(`Salle 4.12; ${added.ok && added.room!.url}`);
  });

  it('two services in one item: both named when the sentence fits a notification, else the short sentence', async () => {
    const teams = corpusBody('teams/html-en-owa').input;
    const { deps } = setup(appointment(teams, { location: 'https://ucla.zoom.us/j/98765432109', displayLanguage: 'en-US' }));
    const result = await switchMeeting(deps);
    expect(result.message).toBe(STRINGS.en.switched.replace('{names}', 'Microsoft Teams and Zoom'));
    const many = setup(appointment(teams, { location: 'https://meet.google.com/abc-defg-hij' }));
    const both = await switchMeeting(many.deps);
    expect(both.message).toBe(STRINGS.fr.switchedMany);
    expect(STRINGS.fr.switched.replace('{names}', 'Microsoft Teams et Google Meet').length).toBeGreaterThan(NOTIFICATION_MAX);
  });

  it('says so when there is no foreign meeting, and writes nothing (no room made)', async () => {
    const before = (await (await fetch(`${gateway.url}/v1/rooms`)).json()).items.length;
    const { double, deps } = setup(appointment(`<div><p>Point sur Teams et Zoom : lequel garder ?</p></div>`));
    expect(await switchMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.nothingToSwitch });
    expect(double.state.calls.filter((c) => c.endsWith('setAsync') && !c.startsWith('notification'))).toEqual([]);
    expect((await (await fetch(`${gateway.url}/v1/rooms`)).json()).items.length).toBe(before);
  });

  it('text typed during the gateway call is kept and the Teams block still goes', async () => {
    const { input, expected } = corpusBody('teams/html-fr-desktop');
    const { double, deps } = setupTypingDuringCall(appointment(input), '<p>Ajouté pendant ce temps</p>');
    expect((await switchMeeting(deps)).ok).toBe(true);
    expect(double.state.body).toContain('<p>Ajouté pendant ce temps</p>');
    expect(double.state.body).not.toContain('teams.microsoft.com');
    expect(removeInvitationHtml(double.state.body).replace('<p>Ajouté pendant ce temps</p>', '')).toBe(expected);
  });

  it('an Office failure on a write leaves the item as it was, Teams block included', async () => {
    const { input } = corpusBody('teams/html-fr-desktop');
    const location = 'Salle 4.12; Réunion Microsoft Teams';
    const { double, deps } = setup(appointment(input, { location, failures: { 'customProperties.saveAsync': { code: 9041, name: 'NetworkError', message: '' } } }));
    const result = await switchMeeting(deps);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(STRINGS.fr.unchanged.trim());
    expect(double.state.body).toBe(input);
    expect(double.state.location).toBe(location);
    expect(double.state.notifications.at(-1)!.type).toBe('errorMessage');
  });
});

describe('Bodies as Outlook rewrites them (test/outlook-bodies.ts): replaced in place, removed without debris, the agent’s text untouched', () => {
  /** A room this appointment already has (its custom properties), as after a first "Add". */
  async function existing() {
    const first = setup(appointment('', { location: '' }));
    const added = await addMeeting(first.deps);
    if (!added.ok) throw new Error(added.message);
    return { room: added.room!, props: first.double.state.customProperties };
  }
  const count = (body: string, part: string) => body.split(part).length - 1;
  // Blocks in a body: elements whose id is the block's (Outlook may prefix it, or leave it unquoted).
  const blocks = (body: string) => (body.match(/\sid=["']?(?:x_)*visio-meeting-block\b/g) ?? []).length;

  it('classic Outlook’s Word document (MsoNormal, unquoted id, data attribute dropped, folded lines, CRLF)', async () => {
    const { room, props } = await existing();
    const agent = ['Bonjour à tous,', 'Ordre du jour &amp; pièces jointes.'];
    const body = wordDocument(agent, wordBlock(room.url));
    const { double, deps } = setup(appointment(body, { location: `Salle 4.12; ${room.url}`, customProperties: props, subject: 'Comité' }));
    expect(await addMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.updated });
    expect(findVisioLinks(double.state.body, INSTANCE).map((l) => l.code)).toEqual([room.code]);
    expect(blocks(double.state.body)).toBe(1);
    for (const text of agent) expect(count(double.state.body, `<p class=MsoNormal>${text}<o:p></o:p></p>`)).toBe(1);
    expect(removeInvitationHtml(double.state.body)).toBe(wordDocument(agent, '\r\n'));
    expect(double.state.location).toBe(`Salle 4.12; ${room.url}`);
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.removed });
    expect(double.state.body).toBe(wordDocument(agent, '\r\n'));
    expect(double.state.location).toBe('Salle 4.12');
  });

  it('the Word block alone (no custom properties: an item copied or received) is found and removed, its link too', async () => {
    const { room } = await existing();
    const body = wordDocument(['Réunion de service'], wordBlock(room.url));
    const { double, deps } = setup(appointment(body, { location: `${room.url}; Salle 2` }));
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.removed });
    expect(double.state.body).toBe(wordDocument(['Réunion de service'], '\r\n'));
    expect(double.state.location).toBe('Salle 2');
  });

  it('Outlook on the web after a round trip (x_ ids, styles dropped, <br> runs in the agent’s wrapper)', async () => {
    const { room, props } = await existing();
    const agentHtml = 'Bonjour,<br><br>Ordre du jour <b>joint</b>.';
    const body = owaRoundTrip(agentHtml, room.url);
    const { double, deps } = setup(appointment(body, { location: room.url, customProperties: props }));
    expect((await addMeeting(deps)).ok).toBe(true);
    expect(findVisioLinks(double.state.body, INSTANCE)).toHaveLength(1);
    expect(count(double.state.body, agentHtml)).toBe(1);
    expect(double.state.location).toBe(room.url);
    expect((await removeMeeting(deps)).ok).toBe(true);
    expect(double.state.body).toBe(removeInvitationHtml(body));
    expect(double.state.body).toContain(`${agentHtml}<br><br></div>`);
    expect(hasInvitation(double.state.body)).toBe(false);
    expect(double.state.location).toBe('');
  });

  it('a plain-text body given back with Windows line ends', async () => {
    const { room, props } = await existing();
    const block = renderInvitation({ room, lang: 'fr', title: 'Comité' }).text;
    const agent = 'Bonjour,\n\nOrdre du jour en pièce jointe.\n';
    const body = windowsText(`${agent}\n${block}\n`);
    const { double, deps } = setup(appointment(body, { bodyType: 'text', location: room.url, customProperties: props, subject: 'Comité' }));
    expect((await addMeeting(deps)).ok).toBe(true);
    expect(double.state.body).toBe(body);
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.removed });
    expect(double.state.body).toBe(windowsText(agent));
  });

  it('text the agent typed during the gateway call stays, in a Word document too', async () => {
    const { room, props } = await existing();
    const typed = '<p class=MsoNormal>Ajouté pendant l’appel<o:p></o:p></p>\r\n';
    const body = wordDocument(['Bonjour'], wordBlock(room.url));
    const { double, deps } = setupTypingDuringCall(appointment(body, { location: room.url, customProperties: props }), typed);
    expect((await addMeeting(deps)).ok).toBe(true);
    expect(count(double.state.body, typed)).toBe(1);
    expect(blocks(double.state.body)).toBe(1);
  });
});

describe('Recurring meetings: custom properties of the series and of one occurrence, as Outlook keeps them', () => {
  async function seriesWithRoom() {
    const series = setup(appointment(OWA_HTML, { subject: 'Comité' }));
    const added = await addMeeting(series.deps);
    if (!added.ok) throw new Error(added.message);
    return { room: added.room!, body: series.double.state.body, location: series.double.state.location, props: series.double.state.customProperties };
  }

  it('an occurrence shows the series’ properties: Add keeps the series’ room', async () => {
    const { room, body, location, props } = await seriesWithRoom();
    const { double, deps } = setup(appointment(body, { location, recurrence: 'occurrence', seriesCustomProperties: props, subject: 'Comité' }));
    expect(double.state.customProperties).toEqual(props);
    // The result names the room written: the series' one, so no second room was made.
    expect(await addMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.updated, room });
    expect(findVisioLinks(double.state.body, INSTANCE).map((l) => l.code)).toEqual([room.code]);
  });

  it('an exception in classic Outlook on Windows has no properties: Add takes back the agent’s room from the block instead of making a second one', async () => {
    const { room, body, location, props } = await seriesWithRoom();
    const { double, deps } = setup(appointment(body, { location, platform: 'PC', recurrence: 'exception', seriesCustomProperties: props, subject: 'Comité' }));
    expect(double.state.customProperties).toEqual({});
    expect(await addMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.updated, room });
    expect(findVisioLinks(double.state.body, INSTANCE).map((l) => l.code)).toEqual([room.code]);
    expect(double.state.location).toBe(location);
    expect(double.state.customProperties).toMatchObject({ [ROOM_PROPERTY]: room });
    // Outlook on the web gives the same exception the series' properties.
    const web = setup(appointment(body, { location, recurrence: 'exception', seriesCustomProperties: props }));
    expect(web.double.state.customProperties).toEqual(props);
  });
});

describe('Shared and delegated calendars (SupportsSharedFolders)', () => {
  it('an assistant adds Visio to the principal’s meeting: the room is the signed-in agent’s, the block is in the shared item', async () => {
    const { double, deps } = setup(appointment(OWA_HTML, { sharedOwner: 'directrice@example.gouv.fr' }));
    const result = await addMeeting(deps);
    expect(result.ok).toBe(true);
    const code = result.ok ? result.room!.code : '';
    expect(findVisioLinks(double.state.body, INSTANCE).map((l) => l.code)).toEqual([code]);
    expect(double.state.location).toBe(`${LOCATION_PLACES}; ${result.ok && result.room!.url}`);
    // The gateway lists the room among the signed-in agent's (local mode: the gateway's one agent).
    const mine = (await (await fetch(`${gateway.url}/v1/rooms`)).json()) as { items: { code: string }[] };
    expect(mine.items.map((r) => r.code)).toContain(code);
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.removed });
    expect(double.state.body).toBe(OWA_HTML);
  });
});

describe('Remove Visio meeting', () => {
  it('removes block, link and custom properties, and deletes the room: no debris', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    const added = await addMeeting(deps);
    const code = added.ok ? added.room!.code : '';
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.removed });
    expect(double.state.body).toBe(OWA_HTML);
    expect(double.state.location).toBe(LOCATION_PLACES);
    expect(double.state.customProperties).toEqual({});
    expect(hasInvitation(double.state.body)).toBe(false);
    // Released on the gateway: ended (its link says the meeting ended), not left open.
    expect(await (await fetch(`${gateway.url}/v1/rooms/${code}`)).json()).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
  });

  it('removes a block received from elsewhere (no custom properties) and its link in the location', async () => {
    const { double, deps } = setup(appointment(OWA_WITH_OLD_BLOCK, { location: `Salle 2; ${INSTANCE}/old-oldo-old; Visio` }));
    expect((await removeMeeting(deps)).ok).toBe(true);
    expect(findVisioLinks(double.state.body, INSTANCE)).toHaveLength(0);
    expect(double.state.body).toContain('<p>Cordialement</p>');
    expect(double.state.location).toBe('Salle 2; Visio');
  });

  it('says so when there is nothing to remove, and writes nothing', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    expect(await removeMeeting(deps)).toMatchObject({ ok: true, message: STRINGS.fr.nothingToRemove });
    expect(double.state.calls.filter((c) => c.endsWith('setAsync') || c.endsWith('saveAsync'))).toEqual([]);
  });
});

describe('Office errors: the item stays as it was', () => {
  const cases: [string, number, string, keyof typeof STRINGS.fr.office][] = [
    ['body.getTypeAsync', 5000, 'NotSupported', 'unsupported'],
    ['body.getAsync', 5001, 'InternalError', 'other'],
    ['loadCustomPropertiesAsync', 9017, 'AccessRestricted', 'permission'],
    ['body.setAsync', 7000, 'PermissionDenied', 'permission'],
    ['body.setAsync', 9030, 'APICallFailedDueToItemChange', 'busy'],
    ['body.setAsync', 9011, 'HtmlSanitizationFailure', 'other'],
    ['location.setAsync', 9038, 'InsufficientItemPermissionsError', 'permission'],
    ['location.setAsync', 9041, 'NetworkError', 'network'],
    ['customProperties.saveAsync', 9021, 'SaveError', 'network'],
    ['customProperties.saveAsync', 9040, 'HTTPRequestFailure', 'network'],
    ['customProperties.saveAsync', 9051, 'SessionObjectMaxLengthExceeded', 'tooLarge'],
    ['customProperties.saveAsync', 1000, 'InvalidCoercion', 'unsupported'],
  ];
  for (const [method, code, name, kind] of cases) {
    it(`${method} failing with ${code} ${name}`, async () => {
      const scenario = appointment(OWA_HTML, { failures: { [method]: { code, name, message: name } } });
      const { double, deps } = setup(scenario);
      const result = await addMeeting(deps);
      expect(result.ok).toBe(false);
      expect(result.message).toContain(STRINGS.fr.office[kind].slice(0, 40));
      expect(double.state.body).toBe(OWA_HTML);
      expect(double.state.location).toBe(LOCATION_PLACES);
      expect(double.state.customProperties).toEqual({});
      const last = double.state.notifications.at(-1)!;
      expect(last.type).toBe('errorMessage');
      expect(last.message.length).toBeLessThanOrEqual(NOTIFICATION_MAX);
    });
  }

  it('a failed removal leaves the meeting in place', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    await addMeeting(deps);
    const before = structuredClone(double.state);
    const failing = setup(
      appointment(before.body, { location: before.location, customProperties: before.customProperties, failures: { 'location.setAsync': { code: 9041, name: 'NetworkError', message: '' } } }),
    );
    const result = await removeMeeting(failing.deps);
    expect(result.ok).toBe(false);
    expect(failing.double.state.body).toBe(before.body);
    expect(failing.double.state.location).toBe(before.location);
    expect(failing.double.state.customProperties).toEqual(before.customProperties);
  });

  it('an unreachable gateway changes nothing and says so', async () => {
    const down = createVisioClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    const { double, deps } = setup(appointment(OWA_HTML), { client: down });
    const result = await addMeeting(deps);
    expect(result).toMatchObject({ ok: false });
    expect(result.message).toContain('Impossible de joindre le service Visio');
    expect(double.state.body).toBe(OWA_HTML);
    expect(double.state.calls.filter((c) => c.endsWith('setAsync'))).toEqual([]);
  });

  it('a notification that cannot be shown does not fail the command', async () => {
    const { double, deps } = setup(appointment(OWA_HTML, { failures: { 'notificationMessages.replaceAsync': { code: 9025, name: 'NumberOfNotificationsExceeded', message: '' } } }));
    expect((await addMeeting(deps)).ok).toBe(true);
    expect(hasInvitation(double.state.body)).toBe(true);
  });
});

describe('Office’s limits: office.js throws before calling Outlook, the add-in says which limit', () => {
  const unchanged = (double: OfficeDouble, body: string, location: string) => {
    expect(double.state.body).toBe(body);
    expect(double.state.location).toBe(location);
    expect(double.state.customProperties).not.toHaveProperty(ROOM_PROPERTY);
  };

  it('a location that would exceed 255 characters: the lieu sentence, the body written first is put back', async () => {
    const location = `Salle ${'A'.repeat(LIMITS.location - 30)}`;
    const { double, deps } = setup(appointment(OWA_HTML, { location }));
    const result = await addMeeting(deps);
    expect(result).toMatchObject({ ok: false, message: `${STRINGS.fr.failedPrefix}${STRINGS.fr.office.locationTooLong}${STRINGS.fr.unchanged}` });
    expect(result.message.length).toBeLessThanOrEqual(NOTIFICATION_MAX);
    unchanged(double, OWA_HTML, location);
    expect(double.state.calls).toContain('body.setAsync');
  });

  it('a body that would exceed 1,000,000 characters: the body sentence, nothing written', async () => {
    const body = `<p>${'a'.repeat(LIMITS.body - 10)}</p>`;
    const { double, deps } = setup(appointment(body));
    const result = await addMeeting(deps);
    expect(result).toMatchObject({ ok: false, message: `${STRINGS.fr.failedPrefix}${STRINGS.fr.office.tooLarge}${STRINGS.fr.unchanged}` });
    unchanged(double, body, LOCATION_PLACES);
    expect(double.state.calls.filter((c) => c.endsWith('setAsync'))).toEqual([]);
  });

  it('custom properties over 2,500 characters as JSON: the data sentence, body and location put back', async () => {
    const customProperties = { legacy: 'x'.repeat(LIMITS.customPropertiesJson - 100) };
    const { double, deps } = setup(appointment(OWA_HTML, { customProperties }));
    const result = await addMeeting(deps);
    expect(result).toMatchObject({ ok: false, message: `${STRINGS.fr.failedPrefix}${STRINGS.fr.office.propertiesTooLarge}${STRINGS.fr.unchanged}` });
    unchanged(double, OWA_HTML, LOCATION_PLACES);
    expect(double.state.customProperties).toEqual(customProperties);
  });

  it('the double throws as office.js does, synchronously, naming the argument', () => {
    const target: Record<string, unknown> = {};
    installOfficeDouble(appointment(OWA_HTML), target);
    const item = (target.Office as typeof Office).context.mailbox.item as Office.AppointmentCompose;
    const thrown = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return error as { name: string; paramName: string };
      }
      return null;
    };
    expect(thrown(() => item.location.setAsync('x'.repeat(256)))).toMatchObject({ name: 'Sys.ArgumentOutOfRangeException', paramName: 'location' });
    expect(
      thrown(() =>
        item.notificationMessages.replaceAsync('k', { type: 'informationalMessage' as Office.MailboxEnums.ItemNotificationMessageType, message: 'x'.repeat(151), icon: 'i', persistent: false }),
      ),
    ).toMatchObject({ paramName: 'message' });
    expect(thrown(() => item.body.setAsync('x'.repeat(LIMITS.body + 1), { coercionType: 'html' as Office.CoercionType }))).toMatchObject({ paramName: 'data' });
    expect(thrown(() => item.body.setSelectedDataAsync('x'.repeat(LIMITS.body + 1), { coercionType: 'html' as Office.CoercionType }))).toMatchObject({ paramName: 'data' });
    expect(thrown(() => item.location.setAsync('x'.repeat(255)))).toBeNull();
  });

  it('a notification over 150 characters would throw: every message the add-in shows fits', () => {
    for (const lang of ['fr', 'en'] as const) {
      const t = STRINGS[lang];
      for (const message of [t.adding, t.added, t.removedKept, t.autoAddNoSignIn, ...Object.values(t.office).map((m) => `${t.failedPrefix}${m}${t.unchanged}`)])
        expect(message.length, message).toBeLessThanOrEqual(NOTIFICATION_MAX);
    }
  });
});

describe('What the agent does while the command runs', () => {
  it('text typed during the gateway call is kept, and the block is written once', async () => {
    const typed = '<p>Ajout tapé pendant l’appel</p>';
    const { double, deps } = setupTypingDuringCall(appointment(OWA_HTML), typed);
    const result = await addMeeting(deps);
    expect(result.ok).toBe(true);
    expect(double.state.body).toContain(typed);
    expect(removeInvitationHtml(double.state.body)).toBe(OWA_HTML + typed);
    expect(findVisioLinks(double.state.body, INSTANCE)).toHaveLength(1);
  });
});

describe('Insert Visio link in a message', () => {
  it('inserts at the top when the body never had the cursor, as Outlook does', async () => {
    const body = '<div><p>Bonjour,</p><p>Signature</p></div>';
    const { double, deps } = setup({ itemType: 'message', mode: 'compose', bodyType: 'html', body, subject: 'Échange' });
    expect((await insertLink(deps)).ok).toBe(true);
    expect(double.state.body.indexOf('visio-meeting-block')).toBeLessThan(double.state.body.indexOf('Bonjour'));
    expect(removeInvitationHtml(double.state.body)).toBe(body);
    // In a whole document, the top of the content: right after <body>.
    const doc = setup({ itemType: 'message', mode: 'compose', bodyType: 'html', body: DESKTOP_HTML, subject: '' });
    expect((await insertLink(doc.deps)).ok).toBe(true);
    expect(doc.double.state.body.indexOf('visio-meeting-block')).toBeGreaterThan(doc.double.state.body.indexOf('<body'));
    expect(doc.double.state.body.indexOf('visio-meeting-block')).toBeLessThan(doc.double.state.body.indexOf('WordSection1'));
  });

  it('inserts the HTML block at the cursor', async () => {
    const body = '<div><p>Bonjour,</p><p>Signature</p></div>';
    const cursor = body.indexOf('<p>Signature');
    const { double, deps } = setup({ itemType: 'message', mode: 'compose', bodyType: 'html', body, subject: 'Échange', cursor });
    const result = await insertLink(deps);
    expect(result).toMatchObject({ ok: true, message: STRINGS.fr.inserted });
    const at = double.state.body.indexOf('visio-meeting-block');
    expect(at).toBeGreaterThan(body.indexOf('Bonjour'));
    expect(at).toBeLessThan(double.state.body.indexOf('Signature'));
    expect(removeInvitationHtml(double.state.body)).toBe(body);
  });

  it('inserts the text block into a plain-text message', async () => {
    const { double, deps } = setup({ itemType: 'message', mode: 'compose', bodyType: 'text', body: 'Bonjour\n', subject: '', cursor: 'Bonjour\n'.length });
    expect((await insertLink(deps)).ok).toBe(true);
    expect(double.state.body).toMatch(/^Bonjour\n\n-- Visio -+\nRéunion Visio\n/);
  });

  it('a refused insertion leaves the message as it was', async () => {
    const { double, deps } = setup({
      itemType: 'message',
      mode: 'compose',
      bodyType: 'html',
      body: '<p>x</p>',
      failures: { 'body.setSelectedDataAsync': { code: 9014, name: 'CursorPositionChanged', message: '' } },
    });
    const result = await insertLink(deps);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(STRINGS.fr.office.busy.slice(0, 30));
    expect(double.state.body).toBe('<p>x</p>');
  });
});

describe('Join Visio', () => {
  it('opens the link of a received appointment (location first)', async () => {
    const { deps, opened } = setup({ itemType: 'appointment', mode: 'read', body: '<p>x</p>', location: `Salle 1; ${INSTANCE}/abc-defg-hij` });
    expect((await joinMeeting(deps)).ok).toBe(true);
    expect(opened).toEqual([`${INSTANCE}/abc-defg-hij`]);
  });

  it('opens the link found in a message body (Outlook-rewritten HTML)', async () => {
    const { deps, opened } = setup({ itemType: 'message', mode: 'read', body: `<div id="x_visio-meeting-block"><a href="${INSTANCE}/ABCDEFGHIJ">Rejoindre</a></div>` });
    expect((await joinMeeting(deps)).ok).toBe(true);
    expect(opened).toEqual([`${INSTANCE}/abc-defg-hij`]);
  });

  it('says there is no Visio link, and opens nothing', async () => {
    const { double, deps, opened } = setup({ itemType: 'message', mode: 'read', body: TEAMS_BLOCK });
    expect(await joinMeeting(deps)).toMatchObject({ ok: false, message: STRINGS.fr.noLink });
    expect(opened).toEqual([]);
    expect(double.state.notifications.at(-1)!.type).toBe('errorMessage');
  });
});

describe('Platforms', () => {
  it('Outlook on the web has no openBrowserWindow; classic Windows and Mac have it', () => {
    const ui = (platform?: Scenario['platform']) => {
      const target: Record<string, unknown> = {};
      installOfficeDouble({ itemType: 'message', mode: 'read', ...(platform ? { platform } : {}) }, target);
      return (target.Office as typeof Office).context.ui as Office.UI & { openBrowserWindow?: unknown };
    };
    expect(ui().openBrowserWindow).toBeUndefined();
    expect(ui('OfficeOnline').openBrowserWindow).toBeUndefined();
    expect(typeof ui('PC').openBrowserWindow).toBe('function');
    expect(typeof ui('Mac').openBrowserWindow).toBe('function');
  });

  it('OfficeRuntime.storage exists only in classic Windows’ JavaScript-only runtime', () => {
    const runtime = (scenario: Partial<Scenario>) => {
      const target: Record<string, unknown> = {};
      installOfficeDouble({ itemType: 'appointment', mode: 'compose', ...scenario }, target);
      return target.OfficeRuntime as { storage?: unknown } | undefined;
    };
    expect(runtime({})).toBeUndefined();
    expect(runtime({ platform: 'PC' })).toBeUndefined();
    expect(runtime({ platform: 'PC', runtime: 'javascript' })?.storage).toBeDefined();
    expect(() => runtime({ platform: 'OfficeOnline', runtime: 'javascript' })).toThrow(/only in classic Outlook on Windows/);
  });

  it('auto-add in a runtime the pane’s sign-in does not reach: says so plainly with sign-in, works without', async () => {
    const oidc = await startGatewayProcess({ LOG_LEVEL: 'warn', OIDC_ISSUER: 'https://identite.example.gouv.fr', OIDC_CLIENT_ID: 'visio', OIDC_CLIENT_SECRET: 'secret' });
    try {
      const signedIn = createVisioClient({ baseUrl: oidc.url, clientName: 'outlook' });
      const { double, deps } = setup(appointment('', { location: '', platform: 'PC', runtime: 'javascript', roamingSettings: { autoAdd: true } }), { client: signedIn, signInShared: false });
      expect(await onNewAppointment(deps)).toEqual({ ok: false, message: STRINGS.fr.autoAddNoSignIn });
      expect(double.state.notifications.at(-1)).toMatchObject({ type: 'errorMessage', message: STRINGS.fr.autoAddNoSignIn });
      expect(double.state.body).toBe('');
    } finally {
      await oidc.stop();
    }
    // A local gateway needs no token: the same runtime adds the room.
    const local = setup(appointment('', { location: '', platform: 'PC', runtime: 'javascript', roamingSettings: { autoAdd: true } }), { signInShared: false });
    expect((await onNewAppointment(local.deps))?.ok).toBe(true);
  });
});

describe('Event-based activation', () => {
  it('adds nothing to a new appointment unless the agent opted in', async () => {
    const { double, deps } = setup(appointment(''));
    expect(await onNewAppointment(deps)).toBeNull();
    expect(double.state.calls).toEqual([]);
  });

  it('adds a room to every new appointment when opted in, quietly', async () => {
    const { double, deps } = setup(appointment('', { location: '', roamingSettings: { autoAdd: true } }));
    const result = await onNewAppointment(deps);
    expect(result?.ok).toBe(true);
    expect(hasInvitation(double.state.body)).toBe(true);
    expect(double.state.notificationLog.filter((n) => n.type === 'progressIndicator')).toEqual([]);
  });

  it('puts the block and link back after a change removed them, and leaves an intact item alone', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    await addMeeting(deps);
    const writes = () => double.state.calls.filter((c) => c.endsWith('setAsync')).length;
    const before = writes();
    expect(await onAppointmentChanged(deps)).toBeNull();
    expect(writes()).toBe(before);
    double.state.body = OWA_HTML;
    double.state.location = 'Salle 4.12';
    const repaired = await onAppointmentChanged(deps);
    expect(repaired?.ok).toBe(true);
    expect(hasInvitation(double.state.body)).toBe(true);
    expect(double.state.location).toMatch(/^Salle 4\.12; https:\/\/visio\.numerique\.gouv\.fr\//);
  });

  it('the room follows the meeting: its time on add, the new time when the agent moves it (OnAppointmentTimeChanged)', async () => {
    const { double, deps } = setup(appointment(OWA_HTML, { start: '2026-12-15T09:00:00.000Z', end: '2026-12-15T10:00:00.000Z' }));
    const added = await addMeeting(deps);
    const code = added.ok ? added.room!.code : '';
    expect((await roomOnGateway(code)).schedule).toEqual({ start: '2026-12-15T09:00:00.000Z', end: '2026-12-15T10:00:00.000Z', timeZone: zone });
    double.state.start = '2026-12-16T13:30:00.000Z';
    double.state.end = '2026-12-16T15:00:00.000Z';
    await onAppointmentChanged(deps);
    expect(await roomOnGateway(code)).toMatchObject({ state: 'open', schedule: { start: '2026-12-16T13:30:00.000Z', end: '2026-12-16T15:00:00.000Z' } });
    expect(double.state.calls).toContain('start.getAsync');
  });

  it('a series sends its end (the last day), or none for a series without end', async () => {
    const until = setup(appointment(OWA_HTML, { seriesEnd: '2027-03-01' }));
    const a = await addMeeting(until.deps);
    expect((await roomOnGateway(a.ok ? a.room!.code : '')).schedule.recurrenceEnd).toBe('2027-03-01T23:59:59');
    const endless = setup(appointment(OWA_HTML, { seriesEnd: null }));
    const b = await addMeeting(endless.deps);
    expect((await roomOnGateway(b.ok ? b.room!.code : '')).schedule.recurrenceEnd).toBeNull();
  });

  it('does nothing on an appointment without a Visio room', async () => {
    const { double, deps } = setup(appointment(OWA_HTML));
    expect(await onAppointmentChanged(deps)).toBeNull();
    expect(double.state.body).toBe(OWA_HTML);
  });
});
