/**
 * Background (Chromium service worker, Firefox event page): context menu and keyboard shortcut that put a
 * fresh link on the clipboard, room creation for the calendar buttons, reminders, and the run-time
 * registration of self-hosted calendars. Listeners are registered synchronously at top level so the
 * worker wakes up for them.
 */
import { describeError } from '@visio/shared/client';
import { cleanForeignFields } from '@visio/shared/foreign-location';
import { FOREIGN_PROVIDER_NAMES } from '@visio/shared/foreign-meetings';
import type { Menus, Notifications } from 'webextension-polyfill';
import { createMeeting, fetchUpcoming, gatewayClient, loadCaldavAccount } from '../lib/api.js';
import { signIn } from '../lib/auth.js';
import browser, { sessionArea } from '../lib/browser.js';
import { isSignInCancelled } from '@visio/shared/sign-in';
import { syncCalendarScripts } from '../lib/calendars.js';
import { t } from '../lib/i18n.js';
import type { CalendarStatus, ContentConfig, CreateForEventResult, ForeignCleanupResult, Request, SignInResult } from '../lib/messages.js';
import { CALENDAR_IDS, loadSettings, onSettingsChanged, SELF_HOSTED_CALENDARS } from '../lib/settings.js';
import { writeClipboard } from './clipboard.js';
import { watchSogoSave } from './sogo-model.js';
import { isRoomCode } from '@visio/shared/room-code';
import { scheduleFromEditor } from '@visio/shared/wall-schedule';

const MENU_ID = 'visio-create';
const COMMAND = 'create-meeting';
const REMINDER_ALARM = 'visio-reminders';
const ICON = 'icons/icon-128.png';

async function setUpMenu(): Promise<void> {
  const { uiLang } = await loadSettings();
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({ id: MENU_ID, title: t(uiLang, 'menuCreate'), contexts: ['page', 'selection', 'editable', 'link', 'action'] });
}

/** Creates a room, puts its link on the clipboard and says so. Returns the link (null on failure). */
export async function createAndCopy(): Promise<string | null> {
  const settings = await loadSettings();
  const lang = settings.uiLang;
  try {
    const room = await createMeeting(gatewayClient(settings), settings);
    await writeClipboard(room.url);
    await browser.notifications.create(`visio-copied-${room.code}`, {
      type: 'basic',
      iconUrl: ICON,
      title: t(lang, 'notifyCopiedTitle'),
      message: t(lang, 'notifyCopied', { url: room.url }),
    });
    return room.url;
  } catch (error) {
    await browser.notifications.create(`visio-failed-${Date.now()}`, {
      type: 'basic',
      iconUrl: ICON,
      title: t(lang, 'notifyFailedTitle'),
      message: error instanceof Error && error.name !== 'VisioApiError' ? t(lang, 'copyFailed') : describeError(error, lang),
    });
    return null;
  }
}

export function onMenuClicked(info: Menus.OnClickData): Promise<string | null> | undefined {
  return info.menuItemId === MENU_ID ? createAndCopy() : undefined;
}

export function onCommand(command: string): Promise<string | null> | undefined {
  return command === COMMAND ? createAndCopy() : undefined;
}

// Rooms made for a calendar editor, until it is saved or closed: the only ones a content script may release.
const EVENT_ROOMS = 'eventRooms';

async function eventRooms(): Promise<string[]> {
  const value = (await (sessionArea() ?? browser.storage.local).get(EVENT_ROOMS))[EVENT_ROOMS];
  return Array.isArray(value) ? value.filter((c): c is string => typeof c === 'string') : [];
}

async function createForEvent(title: string | undefined): Promise<CreateForEventResult> {
  const settings = await loadSettings();
  const client = gatewayClient(settings);
  try {
    const room = await createMeeting(client, settings, title?.trim() || undefined);
    await (sessionArea() ?? browser.storage.local).set({ [EVENT_ROOMS]: [...(await eventRooms()), room.code].slice(-50) });
    const invitation = await client.getInvitation(room.code, settings.uiLang);
    return { ok: true, url: room.url, code: room.code, html: invitation.html, text: invitation.text };
  } catch (error) {
    return { ok: false, message: describeError(error, settings.uiLang) };
  }
}

/** Deletes a room an editor was closed on without saving; any other code is ignored. */
async function releaseRoom(code: string): Promise<boolean> {
  const rooms = await eventRooms();
  if (!rooms.includes(code)) return false;
  await (sessionArea() ?? browser.storage.local).set({ [EVENT_ROOMS]: rooms.filter((c) => c !== code) });
  const settings = await loadSettings();
  try {
    await gatewayClient(settings).deleteRoom(code);
    return true;
  } catch {
    return false;
  }
}

/** Editors whose times the background can read in the page's main world (see sogo-model.ts). */
const SCHEDULE_READERS = { sogo: watchSogoSave } as const;

/** Has the editor holding the Add button `marker` report its times on save (tab and frame of the content script). */
async function watchSchedule(reader: unknown, marker: unknown, sender: Sender): Promise<boolean> {
  const func = SCHEDULE_READERS[reader as keyof typeof SCHEDULE_READERS];
  const tabId = sender.tab?.id;
  if (!func || typeof marker !== 'string' || !/^[a-z0-9-]{1,64}$/.test(marker) || tabId === undefined) return false;
  try {
    const [answer] = await browser.scripting.executeScript({ target: { tabId, frameIds: [sender.frameId ?? 0] }, world: 'MAIN', func, args: [marker] });
    return answer?.result === true;
  } catch {
    return false;
  }
}

/** Bounds what a page may hand us as an editor's times. */
const MAX_MODEL = 4000;

/**
 * The agent saved an editor holding this room's link: the room gets the event's schedule (none if
 * unreadable). The gateway refuses it for a room that is not the agent's.
 */
async function attachRoom(code: string, model: unknown): Promise<boolean> {
  if (!isRoomCode(code) || typeof model !== 'string' || model.length > MAX_MODEL) return false;
  let schedule: ReturnType<typeof scheduleFromEditor>;
  try {
    schedule = scheduleFromEditor(JSON.parse(model));
  } catch {
    return false;
  }
  if (!schedule) return false;
  try {
    await gatewayClient(await loadSettings()).setRoomSchedule(code, schedule);
    return true;
  } catch {
    return false;
  }
}

const STATUS_KEY = 'calendarStatus';

/** Keeps each calendar's last state for the options page; `lastSeen` survives a later `missing`. */
async function recordStatus(calendar: string, state: unknown, url: string | undefined): Promise<void> {
  if (!(CALENDAR_IDS as readonly string[]).includes(calendar) || (state !== 'working' && state !== 'missing')) return;
  const all = ((await browser.storage.local.get(STATUS_KEY))[STATUS_KEY] ?? {}) as Record<string, CalendarStatus>;
  const now = Date.now();
  let origin = '';
  try {
    origin = url ? new URL(url).origin : '';
  } catch {
    // no tab address: left empty
  }
  const lastSeen = state === 'working' ? now : all[calendar]?.lastSeen;
  all[calendar] = { state, at: now, origin, ...(lastSeen ? { lastSeen } : {}) };
  await browser.storage.local.set({ [STATUS_KEY]: all });
}

async function contentConfig(calendar: string): Promise<ContentConfig> {
  const settings = await loadSettings();
  const builtIn = calendar === 'outlook' || calendar === 'google';
  const enabled = builtIn ? settings.calendars[calendar] : (SELF_HOSTED_CALENDARS as readonly string[]).includes(calendar) && settings.selfHosted.some((e) => e.kind === calendar);
  return { enabled, instanceUrl: settings.instanceUrl, lang: settings.uiLang, autoAdd: settings.autoAdd };
}

/** Sign-in runs here: the popup closes when the sign-in window takes the focus. */
async function backgroundSignIn(): Promise<SignInResult> {
  const settings = await loadSettings();
  try {
    const client = gatewayClient(settings);
    await signIn(settings.gatewayUrl, await client.getConfig(), settings.uiLang);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: describeError(error, settings.uiLang), cancelled: isSignInCancelled(error) };
  }
}

/** Bodies past this size are not scanned (a calendar field is far smaller; the scan stays bounded). */
const MAX_SCANNED = 1_000_000;

function foreignCleanup(body: unknown, location: unknown): ForeignCleanupResult {
  const b = typeof body === 'string' ? body : '';
  const l = typeof location === 'string' ? location : '';
  if (b.length + l.length > MAX_SCANNED) return { providers: [], names: [], body: b, location: l };
  const cleaned = cleanForeignFields({ body: b, location: l });
  return { providers: cleaned.providers, names: cleaned.providers.map((p) => FOREIGN_PROVIDER_NAMES[p]), body: cleaned.body, location: cleaned.location ?? '' };
}

type Sender = { id?: string; tab?: { id?: number; url?: string }; frameId?: number };

function onMessage(message: unknown, sender: Sender): Promise<unknown> | undefined {
  // Only this extension's own scripts and pages (never a web page) may ask.
  if (sender.id !== browser.runtime.id) return undefined;
  const m = message as Request;
  switch (m?.type) {
    case 'content-config':
      return contentConfig(String(m.calendar));
    case 'create-for-event':
      return createForEvent(typeof m.title === 'string' ? m.title : undefined);
    case 'calendar-status':
      return recordStatus(String(m.calendar), m.state, sender.tab?.url);
    case 'release-room':
      return releaseRoom(String(m.code));
    case 'watch-schedule':
      return watchSchedule(m.reader, m.marker, sender);
    case 'attach-room':
      return attachRoom(String(m.code), m.model);
    case 'calendars-changed':
      return syncCalendarScripts(loadSettings);
    case 'sign-in':
      return backgroundSignIn();
    case 'foreign-cleanup':
      return Promise.resolve(foreignCleanup(m.body, m.location));
    default:
      return undefined;
  }
}

// Reminders: every few minutes, a notification for each Visio meeting about to start (once per meeting).
async function scheduleReminders(): Promise<void> {
  const { reminders } = await loadSettings();
  if (reminders) browser.alarms.create(REMINDER_ALARM, { periodInMinutes: 1, delayInMinutes: 0.1 });
  else await browser.alarms.clear(REMINDER_ALARM);
}

async function remind(): Promise<void> {
  const settings = await loadSettings();
  if (!settings.reminders) return;
  const upcoming = await fetchUpcoming(gatewayClient(settings), settings.instanceUrl, 1, await loadCaldavAccount()).catch(() => null);
  if (!upcoming) return;
  const seen = ((await browser.storage.local.get('reminded')).reminded ?? {}) as Record<string, number>;
  const now = Date.now();
  for (const meeting of upcoming) {
    const minutes = Math.round((meeting.start.getTime() - now) / 60_000);
    const key = `${meeting.code}@${meeting.start.toISOString()}`;
    if (minutes < 0 || minutes > settings.reminderMinutes || seen[key]) continue;
    seen[key] = meeting.start.getTime();
    const supportsButtons = !!offscreenLike();
    await browser.notifications.create(`visio-join|${meeting.url}|${now}`, {
      type: 'basic',
      iconUrl: ICON,
      title: t(settings.uiLang, 'reminderTitle', { minutes }),
      message: meeting.title || meeting.url,
      // Firefox shows no buttons: there a click on the notification joins.
      ...(supportsButtons ? { buttons: [{ title: t(settings.uiLang, 'reminderJoin') }] } : {}),
    } as Notifications.CreateNotificationOptions);
  }
  for (const [key, start] of Object.entries(seen)) if (start < now - 86_400_000) delete seen[key];
  await browser.storage.local.set({ reminded: seen });
}

function offscreenLike(): boolean {
  return typeof (globalThis as { chrome?: { offscreen?: unknown } }).chrome?.offscreen === 'object';
}

function joinFromNotification(id: string): void {
  if (id === WELCOME) {
    void browser.tabs.create({ url: browser.runtime.getURL('options.html') });
    void browser.notifications.clear(id);
    return;
  }
  if (!id.startsWith('visio-join|')) return;
  const url = id.split('|')[1];
  void loadSettings().then((settings) => {
    // Only a link on the configured instance, which is how remind() built it.
    if (url && url.startsWith(`${settings.instanceUrl}/`)) void browser.tabs.create({ url });
    void browser.notifications.clear(id);
  });
}

const WELCOME = 'visio-welcome';

browser.runtime.onInstalled.addListener((details) => {
  // First install: say where to start (a click opens the options page).
  if (details.reason === 'install') {
    void loadSettings().then((s) => browser.notifications.create(WELCOME, { type: 'basic', iconUrl: ICON, title: t(s.uiLang, 'welcomeTitle'), message: t(s.uiLang, 'welcome') }));
  }
  void setUpMenu();
  void syncCalendarScripts(loadSettings);
  void scheduleReminders();
});
browser.runtime.onStartup.addListener(() => {
  void syncCalendarScripts(loadSettings);
});
browser.contextMenus.onClicked.addListener((info) => void onMenuClicked(info));
browser.commands.onCommand.addListener((command) => void onCommand(command));
browser.runtime.onMessage.addListener(onMessage as Parameters<typeof browser.runtime.onMessage.addListener>[0]);
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === REMINDER_ALARM) void remind();
});
browser.notifications.onClicked.addListener(joinFromNotification);
browser.notifications.onButtonClicked?.addListener((id) => joinFromNotification(id));
// Calendars turned on or off (options page, tests writing the settings) or the administrator's calendar list
// (policy): scripts follow, on what is granted.
browser.storage.onChanged.addListener((changes, area) => {
  if ((area === 'local' && changes.settings) || area === 'managed') void syncCalendarScripts(loadSettings);
});
browser.permissions.onRemoved.addListener(() => void syncCalendarScripts(loadSettings));
// A grant from a page that closed before its answer (the popup loses focus to the browser's prompt).
browser.permissions.onAdded.addListener(() => void syncCalendarScripts(loadSettings));
onSettingsChanged(() => {
  void setUpMenu();
  void scheduleReminders();
});

// The exact handlers the browser calls, reachable from the tests' debugger (never from a page).
(globalThis as { visio?: unknown }).visio = { onMenuClicked, onCommand, createAndCopy, remind };
// The bundle's own `visio` global is this module's exports: the notification handler is one of them.
export { joinFromNotification as onNotificationClicked };
