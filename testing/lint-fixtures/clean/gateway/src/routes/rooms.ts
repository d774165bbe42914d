import type { RoomService } from '../rooms.js';

export const deleteRoute = (rooms: RoomService) => (code: string) => rooms.remove(code);
