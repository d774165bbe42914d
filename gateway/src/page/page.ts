/** Script of the gateway's own page: create a room, copy, join, download the .ics. Uses the shared client. */
import { createVisioClient, describeError, type Lang } from '@visio/shared';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $('main');
const lang = (main.dataset.lang === 'en' ? 'en' : 'fr') as Lang;
const client = createVisioClient({ baseUrl: location.origin, clientName: 'page' });
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
    // An instant meeting: from the next quarter hour, for one hour, in the agent's own time zone.
    const start = new Date(Math.ceil(Date.now() / 900_000) * 900_000);
    const end = new Date(start.getTime() + 3_600_000);
    const { ics, filename } = await client.createIcs({
      title: current.title ?? (lang === 'fr' ? 'Réunion Visio' : 'Visio meeting'),
      start: start.toISOString(),
      end: end.toISOString(),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris',
      room: current.code,
      lang,
    });
    const url = URL.createObjectURL(new Blob([ics], { type: 'text/calendar' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(target.dataset.done ?? '');
  } catch (cause) {
    fail(cause);
  }
});
