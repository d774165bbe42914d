import { createRoom } from '../../../gateway/src/rooms.js';

export const add = (title: string) => createRoom(title);
