/** Background script: wires Thunderbird's `messenger` to the add-on logic. */
import { createTokenSource, signIn } from './auth.js';
import { VisioAddon } from './core.js';
import type { Messenger } from './messenger.js';
import { readSettings } from './settings.js';
import { createVisioClient } from '@visio/shared/client';

declare const messenger: Messenger;

const auth = createTokenSource(messenger);
const addon = new VisioAddon(messenger, { auth });
addon.start();

messenger.runtime.onMessage.addListener((message) => {
  const type = (message as { type?: unknown } | null)?.type;
  if (type === 'sign-in') {
    return (async () => {
      const settings = await readSettings(messenger);
      if (!settings.gatewayUrl) return { ok: false, message: messenger.i18n.getMessage('errorNoGateway') };
      const config = await createVisioClient({ baseUrl: settings.gatewayUrl, clientName: 'thunderbird' }).getConfig();
      try {
        return { ok: true, result: await signIn(messenger, config, settings.gatewayUrl, { lang: settings.lang }) };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    })();
  }
  if (type === 'sign-out') return auth.clear().then(() => ({ ok: true }));
  if (type === 'auth-state') return Promise.resolve(auth.getAccessToken()).then((t) => ({ signedIn: Boolean(t) }));
  return undefined;
});
