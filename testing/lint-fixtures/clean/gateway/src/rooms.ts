import type { Store } from './store/store.js';

export const roomService = (store: Store) => ({ remove: (code: string) => store.deleteRoom(code) });
export type RoomService = ReturnType<typeof roomService>;
