/**
 * The embedded default: mints codes, link = instance URL + "/" + code. Visio creates such a room on the
 * fly for the first signed-in agent who opens it, so nothing is registered anywhere.
 */
import { canonicalRoomUrl } from '@visio/shared/links';
import { z } from 'zod';
import type { ProviderDefinition, RoomProvider } from './provider.js';

/** The default provider: no variables of its own. */
export const standalone: ProviderDefinition = {
  name: 'standalone',
  env: z.object({}),
  create: (_env, context) => standaloneProvider(context.instanceUrl),
};

export function standaloneProvider(instanceUrl: string): RoomProvider {
  return {
    name: 'standalone',
    telephony: { enabled: false },
    async createRoom({ accessLevel, suggestedCode }) {
      return { code: suggestedCode, url: canonicalRoomUrl(instanceUrl, suggestedCode), accessLevel };
    },
    async deleteRoom() {
      return { providerDeleted: false, detail: 'Standalone rooms exist only as links: the gateway forgot this one.' };
    },
    async check() {},
  };
}
