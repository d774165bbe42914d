/** Toolbar popup: new room (copy, join, e-mail, .ics), upcoming meetings, recent rooms, sign-in state. */
import { describeError } from '@visio/shared/client';
import type { GatewayConfig, Me, Room } from '@visio/shared/contract';
import { instantMeeting, saveIcsFile } from '@visio/shared/instant-meeting';
import type { Lang } from '@visio/shared/types';
import { createMeeting, fetchUpcoming, formatTime, gatewayClient, loadCaldavAccount } from '../lib/api.js';
import { authState, signOut } from '../lib/auth.js';
import browser from '../lib/browser.js';
import { localizePage, t, type MessageKey } from '../lib/i18n.js';
import type { Request, SignInResult } from '../lib/messages.js';
import { loadSettings } from '../lib/settings.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const settingsReady = loadSettings();
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

function joinLink(url: string, label: string): HTMLAnchorElement {
  const a = el('a', { href: url, target: '_blank', rel: 'noopener', className: 'button' }, t(lang, 'join'));
  a.setAttribute('aria-label', label);
  return a;
}

async function init() {
  const settings = await settingsReady;
  lang = settings.uiLang;
  localizePage(lang);
  const client = gatewayClient(settings);

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
    link.textContent = room.url;
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
      saveIcsFile(await client.createIcs(instantMeeting({ room: current.code, title: current.title ?? t(lang, 'defaultTitle'), lang })));
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
          const name = el('span', { className: 'grow' }, room.title ? `${room.title} — ${room.code}` : room.code);
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
        li.append(el('span', { className: 'grow' }, `${when} — ${m.title || m.code}`), joinLink(m.url, `${t(lang, 'joinMeeting')} : ${m.title || m.code}, ${when}`));
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

  void client
    .getConfig()
    .then(showAuth)
    .then(loadLists, (error: unknown) => {
      $('auth-state').textContent = t(lang, 'notConfigured');
      fail(error);
    });
  initialized = true;
  if (earlyCreate) $<HTMLFormElement>('create-form').requestSubmit();
}

void init();
