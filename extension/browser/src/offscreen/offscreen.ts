/** Chromium offscreen document: the service worker's hands for the clipboard. */
import browser from '../lib/browser.js';

browser.runtime.onMessage.addListener((message: unknown) => {
  const m = message as { target?: string; type?: string; text?: unknown };
  if (m?.target !== 'offscreen' || m.type !== 'copy' || typeof m.text !== 'string') return undefined;
  const area = document.createElement('textarea');
  area.value = m.text;
  document.body.append(area);
  area.select();
  // navigator.clipboard needs a focused document, which an offscreen one never is.
  const ok = document.execCommand('copy');
  area.remove();
  return Promise.resolve(ok);
});
