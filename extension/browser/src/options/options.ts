/** Options page: gateway, instance, language, access level, reminders, calendars (with their permissions). */
import { createVisioClient, describeError } from '@visio/shared/client';
import { normalizeServiceUrl } from '@visio/shared/service-url';
import type { Lang } from '@visio/shared/types';
import { checkCaldavAccount, gatewayClient, loadCaldavAccount, saveCaldavAccount } from '../lib/api.js';
import browser from '../lib/browser.js';
import { missingOrigins, originPattern } from '../lib/calendars.js';
import { localizePage, t, type MessageKey } from '../lib/i18n.js';
import type { CalendarStatus } from '../lib/messages.js';
import {
  BUILT_IN_CALENDARS,
  BUILT_IN_MATCHES,
  cleanOrigin,
  loadSettings,
  MANAGEABLE,
  policyDiffers,
  saveSettings,
  CALENDAR_NAMES,
  type EffectiveSettings,
  type SelfHostedCalendar,
} from '../lib/settings.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
let settings: EffectiveSettings;
let lang: Lang = 'fr';

function say(text: string) {
  $('status').textContent = text;
}
function fail(text: string, field?: HTMLElement) {
  const box = $('error');
  box.textContent = text;
  box.hidden = false;
  field?.setAttribute('aria-invalid', 'true');
  field?.focus();
}
function clearError() {
  $('error').hidden = true;
  for (const f of document.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
}

function render() {
  lang = settings.uiLang;
  localizePage(lang);
  document.title = t(lang, 'optionsTitle');
  $<HTMLInputElement>('gatewayUrl').value = settings.gatewayUrl;
  $<HTMLInputElement>('instanceUrl').value = settings.instanceUrl;
  $<HTMLSelectElement>('lang').value = settings.lang;
  $<HTMLSelectElement>('accessLevel').value = settings.accessLevel;
  $<HTMLInputElement>('reminders').checked = settings.reminders;
  void loadCaldavAccount().then((account) => {
    $<HTMLInputElement>('caldavServer').value = account?.server ?? '';
    $<HTMLInputElement>('caldavUser').value = account?.user ?? '';
    $<HTMLInputElement>('caldavPassword').value = account?.password ?? '';
    $<HTMLInputElement>('caldavRemember').checked = account?.remembered ?? false;
  });
  $<HTMLInputElement>('reminderMinutes').value = String(settings.reminderMinutes);
  $<HTMLInputElement>('autoAdd').checked = settings.autoAdd;
  const calendarsLocked = settings.locked.includes('enabledCalendars');
  for (const id of BUILT_IN_CALENDARS) Object.assign($<HTMLInputElement>(`cal-${id}`), { checked: settings.calendars[id], disabled: calendarsLocked });
  $<HTMLFieldSetElement>('self-hosted-fields').disabled = calendarsLocked;
  $('self-hosted-locked').hidden = !calendarsLocked;
  // "Tick and save" is not the agent's to do on the administrator's list.
  $('calendars-help').hidden = calendarsLocked;
  // Locked: the administrator's value, read-only. Invalid: said with the value received, the agent's own applies.
  for (const key of MANAGEABLE) {
    const locked = settings.locked.includes(key);
    const field = document.getElementById(key) as HTMLInputElement | null;
    if (field) field.disabled = locked;
    $(`${key}-locked`).hidden = !locked;
    const invalid = settings.invalid[key];
    const note = $(`${key}-invalid`);
    note.hidden = invalid === undefined;
    note.textContent = invalid === undefined ? '' : t(lang, 'managedInvalid', { value: invalid.length > 200 ? `${invalid.slice(0, 200)}…` : invalid });
  }
  void renderManagedGrant();
  const list = $('self-hosted-list');
  list.replaceChildren(
    ...settings.selfHosted.map((entry) => {
      const li = document.createElement('li');
      const name = Object.assign(document.createElement('span'), { className: 'grow', textContent: `${CALENDAR_NAMES[entry.kind]} — ${entry.origin}` });
      const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: t(lang, 'remove', { origin: '' }).trim() });
      remove.setAttribute('aria-label', t(lang, 'remove', { origin: `${CALENDAR_NAMES[entry.kind]} ${entry.origin}` }));
      remove.addEventListener('click', async () => {
        const rest = settings.selfHosted.filter((e) => e !== entry);
        settings = await saveSettings({ selfHosted: rest });
        // Give the origin back unless another entry still uses it.
        if (!rest.some((e) => originPattern(e.origin) === originPattern(entry.origin))) {
          await browser.permissions.remove({ origins: [originPattern(entry.origin)] }).catch(() => false);
        }
        await browser.runtime.sendMessage({ type: 'calendars-changed' });
        render();
        $('self-hosted-heading').focus();
      });
      // The administrator's list: nothing to remove.
      if (calendarsLocked) li.append(name);
      else li.append(name, remove);
      return li;
    }),
  );
  $('self-hosted-empty').hidden = settings.selfHosted.length > 0;
  void renderStatus();
}

/** Origins the administrator's calendars still need, asked for by the one grant button (kept ready: no await in its click). */
let managedMissing: string[] = [];

/** The administrator's calendars not granted yet: which ones, and the button that asks for all of them at once. */
async function renderManagedGrant() {
  const locked = settings.locked.includes('enabledCalendars');
  const missing = locked ? await missingOrigins(settings) : [];
  managedMissing = missing;
  const needs = (patterns: readonly string[]) => patterns.some((p) => missing.includes(p));
  const sites = [
    ...BUILT_IN_CALENDARS.filter((id) => settings.calendars[id] && needs(BUILT_IN_MATCHES[id])).map((id) => CALENDAR_NAMES[id]),
    ...settings.selfHosted.filter((e) => needs([originPattern(e.origin)])).map((e) => `${CALENDAR_NAMES[e.kind]} (${e.origin})`),
  ];
  $('managed-grant').hidden = missing.length === 0;
  $('managed-grant-text').textContent = missing.length > 0 ? t(lang, 'grantManagedText', { sites: sites.join(', ') }) : '';
  $('managed-granted').hidden = !locked || missing.length > 0 || (settings.selfHosted.length === 0 && !BUILT_IN_CALENDARS.some((id) => settings.calendars[id]));
}

$('managed-grant-button').addEventListener('click', () => {
  clearError();
  // One request for every missing origin, in the click's own task (user gesture): no await before it.
  const origins = managedMissing;
  if (origins.length === 0) return void renderManagedGrant();
  const request = browser.permissions.request({ origins });
  say(t(lang, 'grantWaiting'));
  void request.then(
    async (granted) => {
      if (!granted) {
        say('');
        return fail(t(lang, 'permissionRefused'));
      }
      await browser.runtime.sendMessage({ type: 'calendars-changed' });
      await renderManagedGrant();
      say(t(lang, 'grantedManaged'));
      $('managed-granted').focus();
    },
    (error: unknown) => fail(String(error)),
  );
});
browser.permissions.onAdded.addListener(() => settings && void renderManagedGrant());
browser.permissions.onRemoved.addListener(() => settings && void renderManagedGrant());

/** Each enabled calendar's state as its pages last reported it: working, editor not found (and where), never seen. */
async function renderStatus() {
  const all = ((await browser.storage.local.get('calendarStatus')).calendarStatus ?? {}) as Record<string, CalendarStatus>;
  const enabled = [...BUILT_IN_CALENDARS.filter((id) => settings.calendars[id]), ...new Set(settings.selfHosted.map((e) => e.kind))];
  const when = (ms: number) => new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' }).format(ms);
  $('status-list').replaceChildren(
    ...enabled.map((id) => {
      const status = all[id];
      let text = t(lang, 'statusNever');
      if (status?.state === 'working') text = t(lang, 'statusWorking', { date: when(status.at) });
      else if (status?.state === 'missing') {
        text = t(lang, 'statusMissing', { origin: status.origin, date: when(status.at) });
        if (status.lastSeen) text += ` ; ${t(lang, 'statusLastSeen', { date: when(status.lastSeen) })}`;
      }
      const li = document.createElement('li');
      li.dataset.calendar = id;
      li.dataset.state = status?.state ?? 'never';
      const name = Object.assign(document.createElement('strong'), { textContent: `${CALENDAR_NAMES[id]} : ` });
      const state = Object.assign(document.createElement('span'), { className: status?.state === 'missing' ? 'grow error' : 'grow', textContent: text });
      li.append(name, state);
      return li;
    }),
  );
}
browser.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.calendarStatus && settings) void renderStatus();
  // The administrator changed the policy while the page is open: shown at once (locks, list, grant button).
  if (area === 'managed' && settings)
    void loadSettings().then((full) => {
      if (!policyDiffers(settings, full)) return;
      settings = full;
      render();
    });
});

async function checkGateway(url: string) {
  try {
    const config = await createVisioClient({ baseUrl: url, clientName: 'browser', timeoutMs: 5000 }).getConfig();
    say(`${t(lang, 'saved')} ${t(lang, 'gatewayOk', { name: config.instanceName, mode: t(lang, config.auth.mode === 'local' ? 'gatewayModeLocal' : 'gatewayModeOidc') })}`);
  } catch (error) {
    fail(`${describeError(error, lang)} ${t(lang, 'gatewayCors', { origin: location.origin })}`);
  }
}

$('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  // Turning a public calendar on asks the browser for its site: in the click's own task (user gesture), before any await.
  // The administrator's list is asked for by its own button, and never given back here.
  const calendarsLocked = settings?.locked.includes('enabledCalendars') ?? false;
  const calendars = Object.fromEntries(BUILT_IN_CALENDARS.map((id) => [id, $<HTMLInputElement>(`cal-${id}`).checked])) as EffectiveSettings['calendars'];
  const asked = calendarsLocked ? [] : BUILT_IN_CALENDARS.filter((id) => calendars[id]).flatMap((id) => BUILT_IN_MATCHES[id]);
  const grant = asked.length > 0 ? browser.permissions.request({ origins: asked }).catch(() => false) : Promise.resolve(true);
  clearError();
  await ready;
  let refused = false;
  if (!(await grant)) {
    refused = true;
    for (const id of BUILT_IN_CALENDARS) if (!settings.calendars[id]) calendars[id] = false;
  }
  const changes: Parameters<typeof saveSettings>[0] = {
    lang: $<HTMLSelectElement>('lang').value as EffectiveSettings['lang'],
    reminders: $<HTMLInputElement>('reminders').checked,
    calendars,
  };
  if (!settings.locked.includes('autoAdd')) changes.autoAdd = $<HTMLInputElement>('autoAdd').checked;
  const minutes = Number($<HTMLInputElement>('reminderMinutes').value);
  if (Number.isInteger(minutes) && minutes >= 1 && minutes <= 60) changes.reminderMinutes = minutes;
  for (const key of ['gatewayUrl', 'instanceUrl'] as const) {
    if (settings.locked.includes(key)) continue;
    const input = $<HTMLInputElement>(key);
    const clean = normalizeServiceUrl(input.value);
    if (!clean) return fail(t(lang, 'invalidUrl'), input);
    changes[key] = clean;
  }
  if (!settings.locked.includes('accessLevel')) changes.accessLevel = $<HTMLSelectElement>('accessLevel').value as EffectiveSettings['accessLevel'];
  const caldavServer = $<HTMLInputElement>('caldavServer');
  const server = caldavServer.value.trim() ? normalizeServiceUrl(caldavServer.value) : '';
  if (server === null) return fail(t(lang, 'invalidUrl'), caldavServer);
  const user = $<HTMLInputElement>('caldavUser').value.trim();
  const password = $<HTMLInputElement>('caldavPassword').value;
  const remember = $<HTMLInputElement>('caldavRemember').checked;
  if (user && password) {
    // Checked before it is kept: a refused password or a server the gateway does not allow is said now.
    const account = { server, user, password };
    const previous = await loadCaldavAccount();
    if (previous?.server !== server || previous.user !== user || previous.password !== password) {
      say(t(lang, 'caldavChecking'));
      try {
        await checkCaldavAccount(gatewayClient({ gatewayUrl: changes.gatewayUrl ?? settings.gatewayUrl }), account);
      } catch (error) {
        say('');
        return fail(describeError(error, lang), $<HTMLInputElement>('caldavPassword'));
      }
    }
    await saveCaldavAccount(account, remember);
  } else await saveCaldavAccount(null, false);
  settings = await saveSettings(changes);
  // A calendar turned off gives its site back.
  const off = calendarsLocked ? [] : BUILT_IN_CALENDARS.filter((id) => !calendars[id]).flatMap((id) => BUILT_IN_MATCHES[id]);
  if (off.length > 0) await browser.permissions.remove({ origins: off }).catch(() => false);
  await browser.runtime.sendMessage({ type: 'calendars-changed' });
  render();
  say(t(lang, 'saved'));
  if (refused) fail(t(lang, 'permissionRefused'));
  await checkGateway(settings.gatewayUrl);
});

$('self-hosted-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearError();
  const input = $<HTMLInputElement>('calendar-origin');
  const origin = cleanOrigin(input.value);
  if (!origin) return void fail(t(lang, 'invalidUrl'), input);
  const kind = $<HTMLSelectElement>('calendar-kind').value as SelfHostedCalendar;
  // permissions.request must run in the click's own task (user gesture): no await before it.
  const origins = [originPattern(origin)];
  const request = browser.permissions.request({ origins });
  // An origin already granted needs no prompt to be answered.
  const granted = Promise.race([request, browser.permissions.contains({ origins }).then((has) => has || request)]);
  void granted.then(
    async (granted) => {
      await ready;
      if (!granted) return fail(t(lang, 'permissionRefused' as MessageKey));
      const others = settings.selfHosted.filter((e) => !(e.kind === kind && e.origin === origin));
      settings = await saveSettings({ selfHosted: [...others, { kind, origin }] });
      await browser.runtime.sendMessage({ type: 'calendars-changed' });
      input.value = '';
      render();
      say(t(lang, 'saved'));
    },
    (error: unknown) => fail(String(error)),
  );
});

// Usable at once: first rendered with last time's policy values, re-rendered if the administrator's differ.
const ready = loadSettings({ cachedPolicy: true }).then((s) => {
  settings = s;
  render();
});
void ready.then(() =>
  loadSettings().then((full) => {
    if (!policyDiffers(settings, full)) return;
    settings = full;
    render();
  }),
);
$('self-hosted-heading').tabIndex = -1;
$('managed-granted').tabIndex = -1;
