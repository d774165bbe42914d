/**
 * The add-in's commands, written against ItemPort and the gateway client so they run the same in the
 * function file, the task pane and the tests. Every command reads first, asks the gateway, then writes;
 * a write that fails undoes the writes before it, so the item stays as it was.
 */
import type { GatewayConfig, RoomSchedule } from '@visio/shared/contract';
import { describeError, VisioApiError, type VisioClient } from '@visio/shared/client';
import { cleanForeignFields } from '@visio/shared/foreign-location';
import { FOREIGN_PROVIDER_NAMES, type ForeignProvider } from '@visio/shared/foreign-meetings';
import { renderInvitation } from '@visio/shared/invitation';
import type { Lang } from '@visio/shared';
import { clampNotification, NOTIFICATION_MAX, STRINGS } from '../i18n.js';
import { describeOfficeError, OfficeError } from '../office/errors.js';
import type { CustomProps, ItemPort } from '../office/item.js';
import { blockCodes, findJoinUrl, parseStoredRoom, planAdd, planRemove, planRepair, type BodyType, type Change, type StoredRoom } from '../logic/plan.js';
import type { AddinSettings } from '../settings.js';

export const ROOM_PROPERTY = 'visioRoom';
export const EVENT_UID_PROPERTY = 'visioEventUid';

export interface CommandDeps {
  item: ItemPort;
  client: VisioClient;
  settings: AddinSettings;
  lang: Lang;
  /** Opens a URL in the agent's browser (rejects with an OfficeError when Office could not open a window). */
  open(url: string): Promise<void>;
  /** Fresh identifier for a new event (tests pass a deterministic one). */
  newUid?: () => string;
  /**
   * False in classic Outlook on Windows' JavaScript-only runtime (event-based activation): it has
   * OfficeRuntime.storage but not the task pane's localStorage, so the pane's sign-in does not reach it.
   */
  signInShared?: boolean;
}

export type CommandResult = { ok: true; message: string; room?: StoredRoom } | { ok: false; message: string };

function uid(): string {
  // randomUUID is missing from some embedded runtimes; getRandomValues is everywhere.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex}@visio-outlook`;
}

let configCache: { client: VisioClient; config: Promise<GatewayConfig> } | null = null;

/** Instance name and URL change only with the gateway's configuration: one request per runtime. */
function gatewayConfig(client: VisioClient): Promise<GatewayConfig> {
  if (configCache?.client !== client) {
    const config = client.getConfig();
    configCache = { client, config };
    config.catch(() => (configCache = null));
  }
  return configCache.config;
}

function failure(error: unknown, lang: Lang, itemUnchanged: boolean): CommandResult {
  const t = STRINGS[lang];
  const reason = error instanceof OfficeError ? describeOfficeError(error, lang) : describeError(error, lang);
  return { ok: false, message: clampNotification(`${t.failedPrefix}${reason}${itemUnchanged ? t.unchanged : ''}`) };
}

interface Snapshot {
  bodyType: BodyType;
  body: string;
  location: string | undefined;
  subject: string;
  props: CustomProps;
}

async function snapshot(item: ItemPort): Promise<Snapshot> {
  const bodyType = await item.getBodyType();
  const [body, location, subject, props] = await Promise.all([item.getBody(bodyType), item.getLocation(), item.getSubject(), item.loadCustomProperties()]);
  return { bodyType, body, location, subject, props };
}

/**
 * Body and location read again after the gateway answered: what the agent typed meanwhile is kept, since the
 * change is planned on what the item holds now, not on what it held when the command started.
 */
async function reread(item: ItemPort, before: Snapshot): Promise<Snapshot> {
  const [body, location] = await Promise.all([item.getBody(before.bodyType), item.getLocation()]);
  return { ...before, body, location };
}

/** Writes body, location and custom properties; on any failure, puts back what was already written. */
async function apply(item: ItemPort, before: Snapshot, change: Change, props: ((p: CustomProps) => void) | null): Promise<void> {
  const undo: (() => Promise<void>)[] = [];
  try {
    if (change.body !== undefined) {
      await item.setBody(change.body, before.bodyType);
      undo.push(() => item.setBody(before.body, before.bodyType));
    }
    if (change.location !== undefined) {
      await item.setLocation(change.location);
      undo.push(() => item.setLocation(before.location ?? ''));
    }
    if (props) {
      props(before.props);
      await before.props.save();
    }
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

async function createRoomFor(deps: CommandDeps, title: string, eventUid: string) {
  const request = {
    ...(title.trim() ? { title: title.trim().slice(0, 255) } : {}),
    ...(deps.settings.accessLevel ? { accessLevel: deps.settings.accessLevel } : {}),
    eventUid,
  };
  return deps.client.createRoom(request);
}

/**
 * The agent's own room whose link is the only one in the body's Visio block, when the item remembers no room:
 * an occurrence that classic Outlook made an exception of keeps the series' body but not its custom
 * properties (OfficeDev/office-js#1508, #6228). Another agent's room is not theirs (the gateway answers 404).
 */
async function adoptableRoom(deps: CommandDeps, before: Snapshot, instanceUrl: string) {
  const codes = blockCodes(before, instanceUrl);
  if (codes.length !== 1) return null;
  try {
    return await deps.client.getRoom(codes[0]!);
  } catch (error) {
    if (error instanceof VisioApiError && (error.status === 404 || error.status === 403)) return null;
    throw error;
  }
}

/** The appointment's schedule as the gateway keeps it; undefined where Outlook cannot tell (older clients, messages). */
async function scheduleOf(item: ItemPort): Promise<RoomSchedule | undefined> {
  const times = await item.getTimes().catch(() => undefined);
  if (!times || !(times.end.getTime() > times.start.getTime())) return undefined;
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const schedule: RoomSchedule = { start: times.start.toISOString(), end: times.end.toISOString(), timeZone };
  // Outlook gives the series' last day: its occurrences start by the end of that day, local time.
  if (times.seriesEnd !== undefined) schedule.recurrenceEnd = times.seriesEnd && /^\d{4}-\d{2}-\d{2}$/.test(times.seriesEnd) ? `${times.seriesEnd}T23:59:59` : null;
  return schedule;
}

/** Tells the room when its meeting is (best effort: the room and the item are right without it). */
async function sendSchedule(deps: CommandDeps, code: string): Promise<void> {
  const schedule = await scheduleOf(deps.item);
  if (schedule) await deps.client.setRoomSchedule(code, schedule).catch(() => undefined);
}

/** "Add Visio meeting": a room for this appointment (the same one on a second click), block and link written. */
export async function addMeeting(deps: CommandDeps, options: { quiet?: boolean } = {}): Promise<CommandResult> {
  const t = STRINGS[deps.lang];
  if (!options.quiet) await deps.item.notify('progress', t.adding);
  const result = await placeMeeting(deps, null);
  if (!options.quiet || !result.ok) await deps.item.notify(result.ok ? 'info' : 'error', result.message);
  return result;
}

/**
 * "Passer à Visio": the foreign meeting (Teams, Zoom, Webex, Google Meet…) taken out of the body and the
 * location by @visio/shared/foreign-location, then the room added exactly as "Add Visio meeting" does, in the
 * same all-or-nothing write. Offered on every appointment (Outlook has no rule on the body's content for
 * compose forms): on an item without a foreign meeting it says so and writes nothing.
 */
export async function switchMeeting(deps: CommandDeps): Promise<CommandResult> {
  const { item, lang } = deps;
  const t = STRINGS[lang];
  await item.notify('progress', t.switching);
  let result: CommandResult;
  try {
    const before = await snapshot(item);
    const providers = cleanForeignFields(before).providers;
    result = providers.length === 0 ? { ok: true, message: t.nothingToSwitch } : await placeMeeting(deps, (now) => ({ ...now, ...cleanForeignFields(now) }), before);
    if (result.ok && providers.length > 0) result = { ...result, message: switchedMessage(lang, providers) };
  } catch (error) {
    result = failure(error, lang, true);
  }
  await item.notify(result.ok ? 'info' : 'error', result.message);
  return result;
}

function switchedMessage(lang: Lang, providers: readonly ForeignProvider[]): string {
  const t = STRINGS[lang];
  const message = t.switched.replace('{names}', providers.map((p) => FOREIGN_PROVIDER_NAMES[p]).join(t.namesJoin));
  return message.length <= NOTIFICATION_MAX ? message : t.switchedMany;
}

/**
 * The room for this appointment, its block and link written. `clean` (Switch) takes the foreign meeting out
 * of what the item holds, applied to the fields read again after the gateway call, so the agent's typing
 * is kept and nothing foreign comes back.
 */
async function placeMeeting(deps: CommandDeps, clean: ((s: Snapshot) => Snapshot) | null, read?: Snapshot): Promise<CommandResult> {
  const { item, lang } = deps;
  const t = STRINGS[lang];
  try {
    const before = read ?? (await snapshot(item));
    const stored = parseStoredRoom(before.props.get(ROOM_PROPERTY));
    const storedUid = before.props.get(EVENT_UID_PROPERTY);
    let eventUid = typeof storedUid === 'string' && storedUid ? storedUid : (deps.newUid ?? uid)();
    const config = gatewayConfig(deps.client);
    let room = stored || typeof storedUid === 'string' ? null : await adoptableRoom(deps, before, (await config).instanceUrl);
    if (room?.eventUid) eventUid = room.eventUid;
    try {
      room ??= await createRoomFor(deps, before.subject, eventUid);
    } catch (error) {
      // The room of this event was deleted on the gateway since: a new event id gets a new room.
      if (!(error instanceof VisioApiError && error.status === 404)) throw error;
      eventUid = (deps.newUid ?? uid)();
      room = await createRoomFor(deps, before.subject, eventUid);
    }
    const { instanceName, instanceUrl } = await config;
    const invitation = renderInvitation({ room, lang, title: before.subject, instanceName });
    const saved: StoredRoom = { code: room.code, url: room.url };
    const now = await reread(item, before);
    const target = clean ? clean(now) : now;
    const change = planAdd(target, invitation, saved, instanceUrl);
    // What cleaning changed is written even where adding Visio changes nothing (the room was already there).
    if (change.body === undefined && target.body !== now.body) change.body = target.body;
    if (change.location === undefined && target.location !== now.location) change.location = target.location ?? '';
    await apply(item, now, change, (p) => {
      p.set(ROOM_PROPERTY, saved);
      p.set(EVENT_UID_PROPERTY, eventUid);
    });
    if (item.kind === 'appointment') await sendSchedule(deps, saved.code);
    const already = stored?.code === saved.code || blockCodes(before, instanceUrl).includes(saved.code);
    return { ok: true, message: already ? t.updated : t.added, room: saved };
  } catch (error) {
    return failure(error, lang, true);
  }
}

/** "Remove Visio meeting": block, link and remembered room gone; the room released on the gateway (ended, deleted where Visio can). */
export async function removeMeeting(deps: CommandDeps): Promise<CommandResult> {
  const { item, lang } = deps;
  const t = STRINGS[lang];
  await item.notify('progress', t.removing);
  let result: CommandResult;
  try {
    const before = await snapshot(item);
    const stored = parseStoredRoom(before.props.get(ROOM_PROPERTY));
    const { instanceUrl } = await gatewayConfig(deps.client);
    const change = planRemove(before, stored, instanceUrl);
    const hadProps = stored !== null || before.props.get(EVENT_UID_PROPERTY) !== undefined;
    if (change.body === undefined && change.location === undefined && !hadProps) {
      result = { ok: true, message: t.nothingToRemove };
    } else {
      await apply(item, before, change, hadProps ? (p) => (p.remove(ROOM_PROPERTY), p.remove(EVENT_UID_PROPERTY)) : null);
      result = { ok: true, message: t.removed };
      if (stored) {
        try {
          await deps.client.deleteRoom(stored.code);
        } catch (error) {
          if (!(error instanceof VisioApiError && error.status === 404)) result = { ok: true, message: t.removedKept };
        }
      }
    }
  } catch (error) {
    result = failure(error, lang, true);
  }
  await item.notify(result.ok ? 'info' : 'error', result.message);
  return result;
}

/** "Insert Visio link" in a message: a new room, its invitation block at the cursor. */
export async function insertLink(deps: CommandDeps): Promise<CommandResult> {
  const { item, lang } = deps;
  const t = STRINGS[lang];
  await item.notify('progress', t.inserting);
  let result: CommandResult;
  try {
    const [bodyType, subject] = await Promise.all([item.getBodyType(), item.getSubject()]);
    const config = gatewayConfig(deps.client);
    const room = await deps.client.createRoom(
      { ...(subject.trim() ? { title: subject.trim().slice(0, 255) } : {}), ...(deps.settings.accessLevel ? { accessLevel: deps.settings.accessLevel } : {}) },
      { idempotencyKey: (deps.newUid ?? uid)() },
    );
    const invitation = renderInvitation({ room, lang, title: subject, instanceName: (await config).instanceName });
    await item.insertAtCursor(bodyType === 'html' ? invitation.html : `\n${invitation.text}\n`, bodyType);
    result = { ok: true, message: t.inserted, room: { code: room.code, url: room.url } };
  } catch (error) {
    result = failure(error, lang, true);
  }
  await item.notify(result.ok ? 'info' : 'error', result.message);
  return result;
}

/** "Join Visio": the item's Visio link (location first, then body) opened in the browser. */
export async function joinMeeting(deps: CommandDeps): Promise<CommandResult> {
  const { item, lang } = deps;
  const t = STRINGS[lang];
  let result: CommandResult;
  try {
    const [body, location, { instanceUrl }] = await Promise.all([item.getBody('html'), item.getLocation(), gatewayConfig(deps.client)]);
    const url = findJoinUrl({ body, location }, instanceUrl);
    if (url) {
      await deps.open(url);
      result = { ok: true, message: t.opening };
    } else result = { ok: false, message: t.noLink };
  } catch (error) {
    result = failure(error, lang, false);
  }
  await item.notify(result.ok ? 'info' : 'error', result.message);
  return result;
}

/** OnNewAppointmentOrganizer: a room for every new meeting, when the agent opted in. */
export async function onNewAppointment(deps: CommandDeps): Promise<CommandResult | null> {
  if (!deps.settings.autoAdd) return null;
  if (
    deps.signInShared === false &&
    !(await deps.client.getConfig().then(
      (c) => c.auth.mode === 'local',
      () => false,
    ))
  ) {
    // No token can reach this runtime: say so plainly rather than fail on the gateway's 401.
    const result: CommandResult = { ok: false, message: STRINGS[deps.lang].autoAddNoSignIn };
    await deps.item.notify('error', result.message);
    return result;
  }
  return addMeeting(deps, { quiet: true });
}

/**
 * Time or attendees changed: the room follows the meeting's time, and the block and link of the remembered
 * room must still be in place.
 */
export async function onAppointmentChanged(deps: CommandDeps): Promise<CommandResult | null> {
  const { item, lang } = deps;
  try {
    const before = await snapshot(item);
    const stored = parseStoredRoom(before.props.get(ROOM_PROPERTY));
    if (!stored) return null;
    await sendSchedule(deps, stored.code);
    const config = await gatewayConfig(deps.client);
    const invitation = renderInvitation({ room: stored, lang, title: before.subject, instanceName: config.instanceName });
    const change = planRepair(before, invitation, stored, config.instanceUrl);
    if (change.body === undefined && change.location === undefined) return null;
    await apply(item, before, change, null);
    return { ok: true, message: STRINGS[lang].updated, room: stored };
  } catch (error) {
    const result = failure(error, lang, true);
    await item.notify('error', result.message);
    return result;
  }
}

/** For tests: forget the cached gateway configuration. */
export function resetConfigCache(): void {
  configCache = null;
}
