/** What every entry point (function file, task pane) builds from Office's context. */
import { createVisioClient, type VisioClient } from '@visio/shared/client';
import type { SignInSession } from '@visio/shared/sign-in';
import { defaultStorage, outlookSignIn } from './auth.js';
import type { CommandDeps } from './commands/commands.js';
import { gatewayUrl } from './env.js';
import { langFromOffice } from './i18n.js';
import { officeCall, officeItem } from './office/item.js';
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

/**
 * Opens a meeting link in the agent's browser. Classic Outlook on Windows and Outlook on Mac have
 * openBrowserWindow (OpenBrowserWindowApi 1.1); Outlook on the web and new Outlook do not, and a UI-less
 * command there has no user gesture for window.open (the pop-up is blocked). There, an Office dialog opens
 * on the gateway (displayDialogAsync accepts only the add-in's own domain: error 12004), with Office's own
 * prompt (the agent's click opens it), and the gateway sends it on to the Visio link.
 */
export function openUrl(url: string): Promise<void> {
  const ui = Office.context.ui as Office.UI & { openBrowserWindow?: (url: string) => void };
  if (typeof ui?.openBrowserWindow === 'function') {
    ui.openBrowserWindow(url);
    return Promise.resolve();
  }
  const via = `${gatewayUrl()}/outlook/join?url=${encodeURIComponent(url)}`;
  return officeCall<Office.Dialog>((cb) => ui.displayDialogAsync(via, { height: 80, width: 60 }, cb)).then(() => undefined);
}

export function commandDeps(): CommandDeps {
  const settings = readSettings(Office.context.roamingSettings);
  const lang = langFromOffice(Office.context.displayLanguage, settings.lang === 'auto' ? null : settings.lang);
  // The JavaScript-only runtime (classic Outlook on Windows' event-based activation) has no DOM.
  return { item: officeItem(Office.context.mailbox), client: visioClient(), settings, lang, open: openUrl, signInShared: typeof document !== 'undefined' };
}
