import type { GatewaySettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { liveKitOptionsFrom, liveKitProvider } from './livekit.js';
import { meetOptionsFrom, meetProvider } from './meet.js';
import type { RoomProvider } from './provider.js';
import { standaloneProvider } from './standalone.js';

/** The room provider named by VISIO_PROVIDER (its variables were checked by loadSettings). */
export function createProvider(settings: GatewaySettings, store: Store, log: Logger): RoomProvider {
  switch (settings.provider) {
    case 'standalone':
      return standaloneProvider(settings.instanceUrl);
    case 'meet':
      return meetProvider(meetOptionsFrom(settings, store, log));
    case 'livekit':
      return liveKitProvider(liveKitOptionsFrom(settings));
  }
}
