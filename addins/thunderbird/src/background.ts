/** Background script: wires Thunderbird's `messenger` to the add-on logic. */
import { createTokenSource, signInAnswer } from './auth.js';
import { VisioAddon } from './core.js';
import type { Messenger } from './messenger.js';

declare const messenger: Messenger;

const auth = createTokenSource(messenger);
const addon = new VisioAddon(messenger, { auth });
addon.start();

messenger.runtime.onMessage.addListener((message) => {
  const type = (message as { type?: unknown } | null)?.type;
  if (type === 'sign-in') return signInAnswer(messenger);
  if (type === 'sign-out') return auth.clear().then(() => ({ ok: true }));
  if (type === 'auth-state') return Promise.resolve(auth.getAccessToken()).then((t) => ({ signedIn: Boolean(t) }));
  return undefined;
});
