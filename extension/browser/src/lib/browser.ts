/** The one WebExtension API object (promise-based in both browsers) and the few Chromium-only bits. */
import browser from 'webextension-polyfill';

export default browser;

/** Chromium's offscreen API (Firefox has none: its background page has a DOM of its own). */
export interface OffscreenApi {
  createDocument(options: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument?(): Promise<boolean>;
}

export function offscreenApi(): OffscreenApi | undefined {
  const chromeGlobal = (globalThis as { chrome?: { offscreen?: OffscreenApi } }).chrome;
  return chromeGlobal?.offscreen;
}

/** storage.session (Chromium 102+, Firefox 115+): memory only, gone when the browser closes, never readable by content scripts. */
export function sessionArea(): typeof browser.storage.local | null {
  return (browser.storage as unknown as { session?: typeof browser.storage.local }).session ?? null;
}
