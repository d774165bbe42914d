/** Toolbar popup: new room (copy, join, e-mail, .ics), upcoming meetings, recent rooms, sign-in state. */
import { describeError } from '@visio/shared/client';
import type { GatewayConfig, Room } from '@visio/shared/contract';
import type { Lang } from '@visio/shared/types';
import { createMeeting, fetchUpcoming, formatTime, gatewayClient } from '../lib/api.js';
import { authState, signIn, signOut } from '../lib/auth.js';
import { localizePage, t, type MessageKey } from '../lib/i18n.js';
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
      // An instant meeting: from the next quarter hour, for one hour, in the agent's time zone.
      const start = new Date(Math.ceil(Date.now() / 900_000) * 900_000);
      const end = new Date(start.getTime() + 3_600_000);
      const { ics, filename } = await client.createIcs({
        title: current.title ?? t(lang, 'defaultTitle'),
        start: start.toISOString(),
        end: end.toISOString(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris',
        room: current.code,
        lang,
      });
      const url = URL.createObjectURL(new Blob([ics], { type: 'text/calendar' }));
      const a = el('a', { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
    const upcoming = await fetchUpcoming(client, settings.instanceUrl, 8).catch(() => null);
    if (!upcoming) return; // this gateway has no calendar behind it
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

  async function showAuth(config: GatewayConfig) {
    const state = await authState(config);
    const text = $('auth-state');
    const inButton = $<HTMLButtonElement>('sign-in');
    const outButton = $<HTMLButtonElement>('sign-out');
    if (state.mode === 'local') {
      text.textContent = t(lang, 'localMode');
      $('auth-actions').hidden = true;
      return;
    }
    text.textContent = state.signedIn ? t(lang, 'signedIn') : `${t(lang, 'signedOut')} ${state.signInAvailable ? '' : t(lang, 'signInUnavailable')}`.trim();
    inButton.hidden = state.signedIn || !state.signInAvailable;
    outButton.hidden = !state.signedIn;
    $('auth-actions').hidden = inButton.hidden && outButton.hidden;
    inButton.onclick = () => void signIn(config).then(() => showAuth(config), fail);
    outButton.onclick = () => void signOut().then(() => showAuth(config), fail);
  }

  void client
    .getConfig()
    .then(showAuth)
    .catch((error: unknown) => {
      $('auth-state').textContent = t(lang, 'notConfigured');
      fail(error);
    });
  void loadRecent();
  void loadUpcoming();
  initialized = true;
  if (earlyCreate) $<HTMLFormElement>('create-form').requestSubmit();
}

void init();
