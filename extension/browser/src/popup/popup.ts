/** Toolbar popup: new room (copy, join, e-mail, .ics), upcoming meetings, recent rooms, sign-in state. */
import { describeError } from '@visio/shared/client';
import type { GatewayConfig, Me, Room } from '@visio/shared/contract';
import { saveIcsFile } from '@visio/shared/instant-meeting';
import type { Lang } from '@visio/shared/types';
import { createMeeting, fetchUpcoming, formatTime, gatewayClient, loadCaldavAccount } from '../lib/api.js';
import { authState, signOut } from '../lib/auth.js';
import browser from '../lib/browser.js';
import { localizePage, t, type MessageKey } from '../lib/i18n.js';
import type { Request, SignInResult } from '../lib/messages.js';
import { missingOrigins } from '../lib/calendars.js';
import { loadSettings, policyDiffers, type EffectiveSettings } from '../lib/settings.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// First state from last time's policy values (managed storage can take seconds on a cold start), then the answer.
const settingsReady = loadSettings({ cachedPolicy: true });
// Last time's sign-in state (no name kept), in this page's own localStorage: read synchronously, so the popup
// shows a state before any storage or gateway answers; the real one replaces it.
const FIRST_STATE = 'visio.firstState';
interface FirstState {
  gatewayUrl: string;
  lang: Lang;
  state: 'local' | 'signedIn' | 'signedOut';
}
function readFirstState(): FirstState | null {
  try {
    const v = JSON.parse(localStorage.getItem(FIRST_STATE) ?? 'null') as Partial<FirstState> | null;
    return v && typeof v.gatewayUrl === 'string' && (v.lang === 'fr' || v.lang === 'en') && (v.state === 'local' || v.state === 'signedIn' || v.state === 'signedOut') ? (v as FirstState) : null;
  } catch {
    return null;
  }
}
/** Marks when the popup first shows a state (the benchmark reads it). */
function markFirstState(): void {
  if (performance.getEntriesByName('visio-first-state').length === 0) performance.mark('visio-first-state');
}
let cachedState = readFirstState();
if (cachedState) {
  localizePage(cachedState.lang);
  document.getElementById('auth-state')!.textContent = t(cachedState.lang, cachedState.state === 'local' ? 'localMode' : cachedState.state);
  markFirstState();
}
let lang: Lang = 'fr';
// A click before the settings are read is kept and replayed, never lost to a native form submit.
let initialized = false;
let earlyCreate = false;
$('create-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!initialized) earlyCreate = true;
});
let current: Room | null = null;

function say(key: MessageKey | '', values: Record<string, string> = {}) {
  $('status').textContent = key ? t(lang, key, values) : '';
}

function fail(error: unknown) {
  const box = $('error');
  box.textContent = describeError(error, lang);
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, text = ''): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  if (text) node.textContent = text;
  return node;
}

/** The URL as text with its room code in one unbreakable span. */
function urlWithCode(url: string, code: string): Node[] {
  const at = url.lastIndexOf(code);
  if (at < 0) return [document.createTextNode(url)];
  return [document.createTextNode(url.slice(0, at)), el('span', { className: 'code' }, code), document.createTextNode(url.slice(at + code.length))];
}

/** `yyyy-mm-ddThh:mm` in local time, as a datetime-local input wants it. */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function joinLink(url: string, label: string): HTMLAnchorElement {
  const a = el('a', { href: url, target: '_blank', rel: 'noopener', className: 'button' }, t(lang, 'join'));
  a.setAttribute('aria-label', label);
  return a;
}

async function init() {
  let settings = await settingsReady;
  lang = settings.uiLang;
  localizePage(lang);
  let client = gatewayClient(settings);

  $('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $<HTMLButtonElement>('create');
    clearError();
    button.disabled = true;
    say('creating');
    try {
      const title = $<HTMLInputElement>('title').value.trim();
      const room = await createMeeting(client, settings, title || undefined);
      current = room;
      showRoom(room);
      say('');
      void loadRecent();
      void prepareShare(room);
    } catch (error) {
      say('');
      fail(error);
    } finally {
      button.disabled = false;
    }
  });

  function showRoom(room: Room) {
    const link = $<HTMLAnchorElement>('link');
    link.href = room.url;
    link.replaceChildren(...urlWithCode(room.url, room.code));
    $<HTMLInputElement>('ics-start').value = localInputValue(new Date(Math.ceil(Date.now() / 900_000) * 900_000));
    // The visible URL stays part of the name (WCAG 2.5.3).
    link.setAttribute('aria-label', `${t(lang, 'linkLabel')} : ${room.url}`);
    $<HTMLAnchorElement>('join').href = room.url;
    const share = $<HTMLAnchorElement>('share');
    share.href = `mailto:?subject=${encodeURIComponent(room.title ?? t(lang, 'defaultTitle'))}&body=${encodeURIComponent(room.url)}`;
    $('result').hidden = false;
    $('result-heading').focus();
  }

  // The mail gets the gateway's invitation text (dial-in included when there is one).
  async function prepareShare(room: Room) {
    try {
      const invitation = await client.getInvitation(room.code, lang);
      if (current?.code !== room.code) return;
      $<HTMLAnchorElement>('share').href = `mailto:?subject=${encodeURIComponent(invitation.subject)}&body=${encodeURIComponent(invitation.text)}`;
    } catch {
      // The plain link set by showRoom() still works.
    }
  }

  $('copy').addEventListener('click', async () => {
    if (!current) return;
    try {
      await navigator.clipboard.writeText(current.url);
      say('copied');
    } catch {
      say('copyFailed');
    }
  });

  $('ics').addEventListener('click', async () => {
    if (!current) return;
    clearError();
    try {
      // The start the agent chose (the next quarter hour unless changed), for one hour, in the agent's time zone.
      const start = new Date($<HTMLInputElement>('ics-start').value);
      if (Number.isNaN(start.getTime())) {
        const box = $('error');
        box.textContent = t(lang, 'icsBadStart');
        box.hidden = false;
        $('ics-start').focus();
        return;
      }
      const end = new Date(start.getTime() + 3_600_000);
      const { ics, filename } = await client.createIcs({
        title: current.title ?? t(lang, 'defaultTitle'),
        start: start.toISOString(),
        end: end.toISOString(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris',
        room: current.code,
        lang,
      });
      saveIcsFile({ ics, filename });
      say('icsDone');
    } catch (error) {
      fail(error);
    }
  });

  async function loadRecent() {
    const list = $('recent-list');
    try {
      const page = await client.listRooms({ limit: 5 });
      list.replaceChildren(
        ...page.items.map((room) => {
          const li = el('li');
          const name = el('span', { className: 'grow' }, room.title ? `${room.title} — ` : '');
          name.append(el('span', { className: 'code' }, room.code));
          const remove = el('button', { type: 'button' }, t(lang, 'delete'));
          remove.setAttribute('aria-label', t(lang, 'deleteRoom', { code: room.code }));
          remove.addEventListener('click', async () => {
            clearError();
            try {
              await client.deleteRoom(room.code);
              if (current?.code === room.code) {
                current = null;
                $('result').hidden = true;
              }
              say('deleted', { code: room.code });
              await loadRecent();
              $('recent-heading').focus();
            } catch (error) {
              fail(error);
            }
          });
          li.append(name, joinLink(room.url, t(lang, 'joinRoom', { code: room.code })), remove);
          return li;
        }),
      );
      $('recent-empty').hidden = page.items.length > 0;
    } catch (error) {
      list.replaceChildren();
      fail(error);
    }
  }
  $('recent-heading').tabIndex = -1;

  async function loadUpcoming() {
    let upcoming;
    try {
      upcoming = await fetchUpcoming(client, settings.instanceUrl, 8, await loadCaldavAccount());
    } catch (error) {
      // Shown, not swallowed: refused CalDAV credentials or a server the gateway does not allow.
      $('upcoming').hidden = false;
      $('upcoming-list').replaceChildren();
      fail(error);
      return;
    }
    if (!upcoming) return; // no CalDAV account set in the options
    $('upcoming-list').replaceChildren(
      ...upcoming.map((m) => {
        const li = el('li');
        const when = formatTime(m.start, lang);
        // Without a title the room code stands in, kept whole like everywhere else.
        const label = el('span', { className: 'grow' }, `${when} — ${m.title}`);
        if (!m.title) label.append(el('span', { className: 'code' }, m.code));
        li.append(label, joinLink(m.url, `${t(lang, 'joinMeeting')} : ${m.title || m.code}, ${when}`));
        return li;
      }),
    );
    $('upcoming-empty').hidden = upcoming.length > 0;
    $('upcoming').hidden = false;
  }

  /** Shows who is signed in; true when the agent's rooms can be read (local mode, or signed in). */
  async function showAuth(config: GatewayConfig): Promise<boolean> {
    const state = await authState(config);
    const text = $('auth-state');
    const inButton = $<HTMLButtonElement>('sign-in');
    const outButton = $<HTMLButtonElement>('sign-out');
    if (state.mode === 'local') {
      text.textContent = t(lang, 'localMode');
      $('auth-actions').hidden = true;
      markFirstState();
      rememberState('local');
      return true;
    }
    let me: Me | null = null;
    if (state.signedIn) me = await client.request<Me>('GET', '/v1/me').catch(() => null);
    // A refresh refused by the gateway signs out: the stored tokens are gone by now.
    const after = await authState(config);
    const signedIn = me !== null && after.mode === 'oidc' && after.signedIn;
    text.textContent = signedIn && me ? t(lang, 'signedInAs', { name: me.name ? `${me.name} (${me.email})` : me.email }) : t(lang, 'signedOut');
    inButton.hidden = signedIn;
    outButton.hidden = !signedIn;
    $('auth-actions').hidden = false;
    markFirstState();
    rememberState(signedIn ? 'signedIn' : 'signedOut');
    inButton.onclick = () => {
      clearError();
      say('');
      void (browser.runtime.sendMessage({ type: 'sign-in' } satisfies Request) as Promise<SignInResult>).then((result) => {
        // Closing the sign-in window is the agent's choice: a polite notice, not an alert.
        if (!result.ok && result.cancelled) $('status').textContent = result.message;
        else if (!result.ok) {
          const box = $('error');
          box.textContent = result.message;
          box.hidden = false;
        }
        return reload(config);
      }, fail);
    };
    outButton.onclick = () => void signOut(settings.gatewayUrl, config).then(() => reload(config), fail);
    return signedIn;
  }

  /** The agent's rooms and meetings, once signed in: signed out, there is nothing to list (and no error to show). */
  function loadLists(canList: boolean) {
    if (!canList) {
      $('recent-list').replaceChildren();
      $('upcoming').hidden = true;
      return;
    }
    void loadRecent();
    void loadUpcoming();
  }

  async function reload(config: GatewayConfig) {
    loadLists(await showAuth(config));
  }

  /** Last time's sign-in state for this gateway (no name kept), shown until the gateway answers. */
  function rememberState(state: FirstState['state']) {
    if (cachedState?.gatewayUrl === settings.gatewayUrl && cachedState.lang === lang && cachedState.state === state) return;
    cachedState = { gatewayUrl: settings.gatewayUrl, lang, state };
    try {
      localStorage.setItem(FIRST_STATE, JSON.stringify(cachedState));
    } catch {
      // Storage full or off: the next popup simply waits for the gateway.
    }
  }
  // Last time's state was for another gateway: say nothing until this one answers.
  if (cachedState && cachedState.gatewayUrl !== settings.gatewayUrl) $('auth-state').textContent = '';

  const showState = () =>
    void client
      .getConfig()
      .then(showAuth)
      .then(loadLists, (error: unknown) => {
        // With a link straight to the options, where the gateway address goes.
        const options = el('a', { href: 'options.html', target: '_blank', rel: 'noopener' }, t(lang, 'optionsLink'));
        $('auth-state').replaceChildren(`${t(lang, 'notConfigured')} `, options, '.');
        markFirstState();
        fail(error);
      });
  showState();
  // The administrator's values, once managed storage answers: a different gateway or instance means a new state.
  void loadSettings().then((full) => {
    const differs = policyDiffers(settings, full);
    settings = full;
    void offerManagedGrant(full, lang);
    if (!differs) return;
    client = gatewayClient(full);
    clearError();
    showState();
  });
  initialized = true;
  if (earlyCreate) $<HTMLFormElement>('create-form').requestSubmit();
}

/**
 * The administrator's calendars not granted yet: the same one-click grant as the options page. The popup may
 * close when the browser's prompt takes the focus; the grant still lands and the background registers the
 * scripts (permissions.onAdded).
 */
let managedMissing: string[] = [];
async function offerManagedGrant(settings: EffectiveSettings, lang: Lang) {
  managedMissing = settings.locked.includes('enabledCalendars') ? await missingOrigins(settings) : [];
  $('managed-grant').hidden = managedMissing.length === 0;
  $('managed-grant-text').textContent = managedMissing.length > 0 ? t(lang, 'grantManagedShort') : '';
}
$('managed-grant-button').addEventListener('click', () => {
  // In the click's own task (user gesture): no await before it.
  const request = managedMissing.length > 0 ? browser.permissions.request({ origins: managedMissing }) : Promise.resolve(false);
  void request.then(
    async (granted) => {
      if (!granted) return;
      await browser.runtime.sendMessage({ type: 'calendars-changed' } satisfies Request);
      $('managed-grant').hidden = true;
    },
    () => undefined,
  );
});

void init();
