import { ConfigError, type GatewaySettings } from '../config.js';
import type { RoomProvider } from './provider.js';
import { standaloneProvider } from './standalone.js';

export function createProvider(settings: GatewaySettings): RoomProvider {
  switch (settings.provider) {
    case 'standalone':
      return standaloneProvider(settings.instanceUrl);
    default:
      throw new ConfigError(`VISIO_PROVIDER=${settings.provider} is not available in this version; use standalone.`);
  }
}
