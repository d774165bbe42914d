/** The task pane: what the current item holds, the commands, sign-in and settings. */
import { ACCESS_LEVELS, type AccessLevel, type Lang } from '@visio/shared';
import { describeError } from '@visio/shared/client';
import { cleanForeignFields } from '@visio/shared/foreign-location';
import { FOREIGN_PROVIDER_NAMES, type ForeignProvider } from '@visio/shared/foreign-meetings';
import { findVisioLinks } from '@visio/shared/links';
import { isSignInCancelled, SignInError } from '@visio/shared/sign-in';
import { CALLBACK_PATH, officeDialogError, parseDialogMessage } from '../auth.js';
import { addMeeting, insertLink, joinMeeting, removeMeeting, ROOM_PROPERTY, switchMeeting, type CommandResult } from '../commands/commands.js';
import { gatewayUrl } from '../env.js';
import { langFromOffice } from '../i18n.js';
import { parseStoredRoom } from '../logic/plan.js';
import { commandDeps, signInSession, visioClient } from '../runtime.js';
import { readSettings, saveSettings, type LangChoice } from '../settings.js';
import { PANE_TEXT } from './text.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let lang: Lang = 'fr';
const t = (key: string) => PANE_TEXT[lang][key] ?? key;

function translate(): void {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll<HTMLElement>('[data-t]')) el.textContent = t(el.dataset.t!);
}

function say(message: string, isError = false): void {
  $('status').textContent = isError ? '' : message;
  const error = $('error');
  error.hidden = !isError;
  error.textContent = isError ? message : '';
}

async function showItem(): Promise<void> {
  const item = Office.context.mailbox?.item;
  const state = $('item-state');
  const linkWrap = $('item-link-wrap');
  for (const id of ['add', 'switch', 'remove', 'insert', 'join', 'item-foreign']) $(id).hidden = true;
  if (!item) {
    state.textContent = t('noItem');
    return;
  }
  const deps = commandDeps();
  const isAppointment = String(item.itemType) === 'appointment';
  const compose = deps.item.mode === 'compose';
  let url: string | null = null;
  let foreign: ForeignProvider[] = [];
  try {
    if (compose && isAppointment) {
      const [props, body, location] = await Promise.all([deps.item.loadCustomProperties(), deps.item.getBodyType().then((type) => deps.item.getBody(type)), deps.item.getLocation()]);
      url = parseStoredRoom(props.get(ROOM_PROPERTY))?.url ?? null;
      foreign = cleanForeignFields({ body, location }).providers;
    }
    if (!url) {
      const [body, location, config] = await Promise.all([deps.item.getBody(compose ? await deps.item.getBodyType() : 'html'), deps.item.getLocation(), deps.client.getConfig()]);
      url = findVisioLinks(`${location ?? ''}\n${body}`, config.instanceUrl)[0]?.url ?? null;
    }
  } catch {
    url = null;
  }
  state.textContent = url ? t('hasRoom') : t('noRoom');
  linkWrap.hidden = !url;
  const link = $('item-link') as HTMLAnchorElement;
  link.href = url ?? '#';
  link.textContent = url ?? '';
  $('add').hidden = !(compose && isAppointment);
  // Offered only where there is something to switch from (the ribbon command is always there, Outlook cannot hide it by content).
  $('switch').hidden = foreign.length === 0;
  const foreignState = $('item-foreign');
  foreignState.hidden = foreign.length === 0;
  foreignState.textContent = t('hasForeign').replace('{names}', foreign.map((p) => FOREIGN_PROVIDER_NAMES[p]).join(t('namesJoin')));
  $('remove').hidden = !(compose && isAppointment && url);
  $('insert').hidden = !(compose && !isAppointment);
  $('join').hidden = !url;
}

async function run(button: HTMLButtonElement, command: (deps: ReturnType<typeof commandDeps>) => Promise<CommandResult>): Promise<void> {
  button.disabled = true;
  try {
    const result = await command(commandDeps());
    say(result.message, !result.ok);
    await showItem();
  } finally {
    button.disabled = false;
  }
}

async function showAccount(): Promise<void> {
  const state = $('account-state');
  try {
    const config = await visioClient().getConfig();
    if (config.auth.mode === 'local') {
      state.textContent = t('localMode');
      $('sign-in').hidden = true;
      $('sign-out').hidden = true;
      return;
    }
    const token = await signInSession().isSignedIn();
    state.textContent = token ? t('signedIn') : t('signedOut');
    $('sign-in').hidden = Boolean(token);
    $('sign-out').hidden = !token;
  } catch {
    state.textContent = t('unreachable');
    $('sign-in').hidden = false;
  }
}

/**
 * Sign-in in an Office dialog: the gateway's page, then its callback page passes its URL (code, state) back.
 * Every outcome reads as describeError's sentence in the pane's language; a dialog the agent closed is a
 * notice (status), not an alert.
 */
export async function signIn(): Promise<void> {
  const session = signInSession();
  const redirectUri = new URL(CALLBACK_PATH, gatewayUrl()).href;
  const pending = await session.beginSignIn(lang);
  const failed = (error: unknown) => say(describeError(error, lang), !isSignInCancelled(error));
  say(t('signingIn'));
  Office.context.ui.displayDialogAsync(pending.url, { height: 60, width: 30, promptBeforeOpen: false }, (opened) => {
    if (String(opened.status) !== 'succeeded') {
      failed(officeDialogError(opened.error?.code));
      return;
    }
    const dialog = opened.value;
    // One outcome per dialog: its message, or the event saying it closed (or failed to load).
    let settled = false;
    dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
      if (settled) return;
      settled = true;
      dialog.close();
      const redirected = 'message' in arg ? parseDialogMessage(arg.message, redirectUri) : null;
      if (!redirected) {
        failed(new SignInError('the dialog sent something other than its callback URL', 'state-mismatch'));
        return;
      }
      session
        .completeSignIn(redirected, pending)
        .then(async () => {
          say(t('signedIn'));
          await showAccount();
        })
        .catch(failed);
    });
    dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
      if (settled) return;
      settled = true;
      failed(officeDialogError('error' in arg ? arg.error : undefined));
    });
  });
}

function showSettings(): void {
  const settings = readSettings(Office.context.roamingSettings);
  ($('access-level') as HTMLSelectElement).value = settings.accessLevel ?? '';
  ($('auto-add') as HTMLInputElement).checked = settings.autoAdd;
  ($('lang') as HTMLSelectElement).value = settings.lang;
}

async function onSave(event: Event): Promise<void> {
  event.preventDefault();
  const level = ($('access-level') as HTMLSelectElement).value;
  const choice = ($('lang') as HTMLSelectElement).value as LangChoice;
  try {
    await saveSettings(Office.context.roamingSettings, {
      accessLevel: (ACCESS_LEVELS as readonly string[]).includes(level) ? (level as AccessLevel) : null,
      autoAdd: ($('auto-add') as HTMLInputElement).checked,
      lang: choice === 'fr' || choice === 'en' ? choice : 'auto',
    });
    lang = langFromOffice(Office.context.displayLanguage, choice === 'auto' ? null : choice);
    translate();
    await Promise.all([showItem(), showAccount()]);
    say(t('saved'));
  } catch (error) {
    say(describeError(error, lang), true);
  }
}

Office.onReady(() => {
  const settings = readSettings(Office.context.roamingSettings);
  lang = langFromOffice(Office.context.displayLanguage, settings.lang === 'auto' ? null : settings.lang);
  translate();
  showSettings();
  $('add').addEventListener('click', () => void run($('add'), addMeeting));
  $('switch').addEventListener('click', () => void run($('switch'), switchMeeting));
  $('remove').addEventListener('click', () => void run($('remove'), removeMeeting));
  $('insert').addEventListener('click', () => void run($('insert'), insertLink));
  $('join').addEventListener('click', () => void run($('join'), joinMeeting));
  $('sign-in').addEventListener('click', () => void signIn());
  $('sign-out').addEventListener('click', () => void signInSession().signOut().then(showAccount));
  $('settings').addEventListener('submit', (e) => void onSave(e));
  // A pinned task pane stays open while the agent selects other items: it follows the selected one.
  Office.context.mailbox?.addHandlerAsync?.(Office.EventType.ItemChanged, () => {
    say('');
    void showItem();
  });
  void Promise.all([showItem(), showAccount()]);
});
