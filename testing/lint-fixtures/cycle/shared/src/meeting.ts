import { roomOf } from './room.js';

export const meetingOf = (code: string) => ({ room: roomOf(code) });
