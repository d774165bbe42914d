/** What every entry point (function file, task pane) builds from Office's context. */
import { createVisioClient, type VisioClient } from '@visio/shared/client';
import type { SignInSession } from '@visio/shared/sign-in';
import { defaultStorage, outlookSignIn } from './auth.js';
import type { CommandDeps } from './commands/commands.js';
import { gatewayUrl } from './env.js';
import { langFromOffice } from './i18n.js';
import { officeItem } from './office/item.js';
import { readSettings } from './settings.js';

let client: VisioClient | null = null;
let session: SignInSession | null = null;

/** One sign-in session per runtime: fresh access tokens, refreshed one at a time. */
export function signInSession(): SignInSession {
  session ??= outlookSignIn(gatewayUrl(), defaultStorage());
  return session;
}

export function visioClient(): VisioClient {
  client ??= createVisioClient({ baseUrl: gatewayUrl(), clientName: 'outlook', auth: signInSession() });
  return client;
}

export function openUrl(url: string): void {
  const ui = Office.context.ui as Office.UI & { openBrowserWindow?: (url: string) => void };
  if (typeof ui?.openBrowserWindow === 'function') ui.openBrowserWindow(url);
  else globalThis.open?.(url, '_blank', 'noopener,noreferrer');
}

export function commandDeps(): CommandDeps {
  const settings = readSettings(Office.context.roamingSettings);
  const lang = langFromOffice(Office.context.displayLanguage, settings.lang === 'auto' ? null : settings.lang);
  return { item: officeItem(Office.context.mailbox), client: visioClient(), settings, lang, open: openUrl };
}
