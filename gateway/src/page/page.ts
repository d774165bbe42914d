/** Script of the gateway's own page: create a room, copy, join, download the .ics. Uses the shared client. */
import { createVisioClient, describeError, VisioApiError, type Lang, type PendingSignIn } from '@visio/shared';
import { pageSession } from './session.js';
import { instantMeeting, saveIcsFile } from '@visio/shared/instant-meeting';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $('main');
const lang = (main.dataset.lang === 'en' ? 'en' : 'fr') as Lang;
const session = pageSession(main);
const client = createVisioClient({ baseUrl: location.origin, clientName: 'page', ...(session ? { auth: session } : {}) });
const form = $<HTMLFormElement>('create');
const button = $<HTMLButtonElement>('create-button');
const status = $('status');
const error = $('error');
const result = $('result');
const link = $<HTMLAnchorElement>('link');
const join = $<HTMLAnchorElement>('join');
let current: { code: string; title?: string | undefined } | null = null;

function say(message: string) {
  status.textContent = message;
}

function fail(cause: unknown) {
  error.textContent = describeError(cause, lang);
  error.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  button.disabled = true;
  say($('messages').dataset.creating ?? '');
  try {
    const title = ($<HTMLInputElement>('title').value.trim() || undefined) as string | undefined;
    const room = await client.createRoom(title ? { title } : {}, { idempotencyKey: crypto.randomUUID() });
    current = { code: room.code, title: room.title };
    link.href = room.url;
    link.textContent = room.url;
    join.href = room.url;
    result.hidden = false;
    say('');
    $('result-heading').focus();
  } catch (cause) {
    say('');
    fail(cause);
  } finally {
    button.disabled = false;
  }
});

$('copy').addEventListener('click', async (event) => {
  const target = event.currentTarget as HTMLElement;
  try {
    await navigator.clipboard.writeText(link.href);
    say(target.dataset.done ?? '');
  } catch {
    say(target.dataset.failed ?? '');
  }
});

$('ics').addEventListener('click', async (event) => {
  if (!current) return;
  const target = event.currentTarget as HTMLElement;
  error.hidden = true;
  try {
    saveIcsFile(await client.createIcs(instantMeeting({ room: current.code, title: current.title ?? (lang === 'fr' ? 'Réunion Visio' : 'Visio meeting'), lang })));
    say(target.dataset.done ?? '');
  } catch (cause) {
    fail(cause);
  }
});

// --- Sign-in (OIDC mode) ---

async function showSignedIn(signedIn: boolean) {
  form.hidden = !signedIn;
  $('signin').hidden = signedIn;
  $('whoami').hidden = !signedIn;
  if (!signedIn) return;
  try {
    const me = await client.request<{ email: string; name?: string }>('GET', '/v1/me');
    const text = $('whoami-text');
    text.textContent = (text.dataset.template ?? '{name}').replace('{name}', me.name ? `${me.name} (${me.email})` : me.email);
  } catch (cause) {
    // The session ended (expired or signed out elsewhere): offer to sign in again.
    if (cause instanceof VisioApiError && cause.status === 401) await showSignedIn(false);
    else fail(cause);
  }
}

async function startSignIn() {
  if (!session) return;
  const pending = await session.beginSignIn(lang);
  sessionStorage.setItem('visio.pending', JSON.stringify(pending));
  location.assign(pending.url);
}

async function initSignIn() {
  if (!session) return;
  $('signin-button').addEventListener('click', () => void startSignIn());
  $('signout-button').addEventListener('click', async () => {
    await session.signOut();
    result.hidden = true;
    await showSignedIn(false);
    $('signin-button').focus();
  });
  const params = new URLSearchParams(location.search);
  const pendingText = sessionStorage.getItem('visio.pending');
  if ((params.has('code') || params.has('error')) && pendingText) {
    sessionStorage.removeItem('visio.pending');
    // The code must not stay in the address bar or the history.
    history.replaceState(null, '', location.pathname);
    try {
      await session.completeSignIn(`${location.origin}/?${params.toString()}`, JSON.parse(pendingText) as PendingSignIn);
    } catch (cause) {
      error.textContent = describeError(cause, lang);
      error.hidden = false;
    }
  } else if (params.has('code')) {
    history.replaceState(null, '', location.pathname);
  }
  await showSignedIn(await session.isSignedIn());
}

void initSignIn();
