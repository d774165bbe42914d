/**
 * The embedded default: mints codes, link = instance URL + "/" + code. Visio creates such a room on the
 * fly for the first signed-in agent who opens it, so nothing is registered anywhere.
 */
import { canonicalRoomUrl } from '@visio/shared/links';
import type { RoomProvider } from './provider.js';

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
