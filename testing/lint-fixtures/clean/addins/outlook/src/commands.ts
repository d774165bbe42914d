import { roomOf } from '../../../shared/src/room.js';

export const add = (code: string) => roomOf(code);
