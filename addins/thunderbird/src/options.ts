/** Options page: gateway, instance, language, release-on-delete; sign-in. Managed values are read-only. */
import { localize } from './i18n-dom.js';
import { AUTH_STORAGE_KEY, type SignInAnswer } from './auth.js';
import type { Messenger } from './messenger.js';
import { readSettings, saveSettings } from './settings.js';

declare const messenger: Messenger;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const t = (key: string, subs?: string[]) => messenger.i18n.getMessage(key, subs);

function setStatus(text: string): void {
  $('status').textContent = text;
  $('status').removeAttribute('lang');
}

function showFieldError(field: string, text: string | null): void {
  const input = $<HTMLInputElement>(field);
  const error = $(`${field}-error`);
  error.hidden = !text;
  error.textContent = text ?? '';
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function showAccount(account: 'local' | 'signed-in' | 'signed-out'): void {
  $('account-state').textContent = t(account === 'local' ? 'optionsLocalMode' : account === 'signed-in' ? 'optionsSignedIn' : 'optionsSignedOut');
  $('sign-in').hidden = account !== 'signed-out';
  $('sign-out').hidden = account !== 'signed-in';
}

async function refreshAccount(): Promise<void> {
  const check = (await messenger.runtime.sendMessage({ type: 'check-gateway' })) as { ok: boolean; authMode?: string } | undefined;
  const state = (await messenger.runtime.sendMessage({ type: 'auth-state' })) as { signedIn: boolean } | undefined;
  showAccount(check?.ok && check.authMode === 'local' ? 'local' : state?.signedIn ? 'signed-in' : 'signed-out');
}

async function load(): Promise<void> {
  localize(document, messenger.i18n);
  const settings = await readSettings(messenger);
  $<HTMLInputElement>('gatewayUrl').value = settings.gatewayUrl ?? '';
  $<HTMLInputElement>('instanceUrl').value = settings.instanceUrl ?? '';
  $<HTMLSelectElement>('lang').value = settings.langChosen ? settings.lang : '';
  $<HTMLInputElement>('releaseOnDelete').checked = settings.releaseOnDelete;
  for (const key of settings.managed) {
    const el = document.getElementById(key) as HTMLInputElement | HTMLSelectElement | null;
    if (el) el.disabled = true;
  }
  $('managed-note').hidden = settings.managed.length === 0;
  // A value the administrator set but that cannot be used: said next to its field, the field stays locked.
  for (const [key, value] of Object.entries(settings.invalidManaged)) {
    const note = document.getElementById(`${key}-error`) ?? document.getElementById('managed-note');
    if (!note) continue;
    note.hidden = false;
    note.textContent = t('optionsManagedInvalid', [value ?? '']);
    document.getElementById(key)?.setAttribute('aria-invalid', 'true');
  }
  await refreshAccount().catch(() => {});
}

$('options').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    showFieldError('gatewayUrl', null);
    showFieldError('instanceUrl', null);
    const result = await saveSettings(messenger, {
      gatewayUrl: $<HTMLInputElement>('gatewayUrl').value,
      instanceUrl: $<HTMLInputElement>('instanceUrl').value,
      lang: $<HTMLSelectElement>('lang').value,
      releaseOnDelete: $<HTMLInputElement>('releaseOnDelete').checked,
    });
    if (!result.ok) {
      showFieldError(result.field, t('optionsInvalidUrl'));
      $(result.field).focus();
      return;
    }
    setStatus(t('optionsSaved'));
    await refreshAccount().catch(() => {});
  })();
});

$('check').addEventListener('click', () => {
  void (async () => {
    const r = (await messenger.runtime.sendMessage({ type: 'check-gateway' })) as { ok: boolean; instanceName?: string; instanceUrl?: string; message?: string };
    setStatus(r.ok ? t('optionsCheckOk', [r.instanceName ?? '', r.instanceUrl ?? '']) : (r.message ?? ''));
  })();
});

$('sign-in').addEventListener('click', () => {
  void (async () => {
    setStatus('');
    const r = (await messenger.runtime.sendMessage({ type: 'sign-in' })) as SignInAnswer;
    // describeError's sentence (a closed window reads "Connexion annulée."), as plain text, in its own language.
    if (!r.ok) {
      setStatus(r.message);
      $('status').lang = r.lang;
      await refreshAccount().catch(() => {});
      return;
    }
    // The answer says how it ended: shown at once, without another round trip to the background (Thunderbird
    // sometimes leaves a message sent while the sign-in window closes unanswered).
    showAccount(r.result);
  })();
});

$('sign-out').addEventListener('click', () => {
  void messenger.runtime.sendMessage({ type: 'sign-out' }).then(() => refreshAccount());
});

// Signed in or out anywhere (this page, a compose window, a refresh refused): the page follows at once.
messenger.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && AUTH_STORAGE_KEY in changes) void refreshAccount().catch(() => {});
});

void load();
