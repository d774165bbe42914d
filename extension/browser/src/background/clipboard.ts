/**
 * Writing to the clipboard from the background: Chromium's service worker has no DOM, so an offscreen
 * document (reason CLIPBOARD) does it; Firefox's background page has a DOM and the clipboardWrite permission.
 */
import browser, { offscreenApi } from '../lib/browser.js';

let creating: Promise<void> | null = null;

async function ensureOffscreen(): Promise<void> {
  const offscreen = offscreenApi()!;
  if (offscreen.hasDocument && (await offscreen.hasDocument())) return;
  creating ??= offscreen
    .createDocument({ url: 'offscreen.html', reasons: ['CLIPBOARD'], justification: 'Put the new Visio link on the clipboard' })
    .catch((error: unknown) => {
      // Another call created it meanwhile.
      if (!/single offscreen/i.test(String(error))) throw error;
    })
    .finally(() => (creating = null));
  await creating;
}

export async function writeClipboard(text: string): Promise<void> {
  if (offscreenApi()) {
    await ensureOffscreen();
    const ok = await browser.runtime.sendMessage({ target: 'offscreen', type: 'copy', text });
    if (ok !== true) throw new Error('clipboard write refused');
    return;
  }
  await navigator.clipboard.writeText(text);
}
