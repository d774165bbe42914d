import { meetingOf } from './meeting.js';

export const roomOf = (code: string) => ({ code, meeting: () => meetingOf(code) });
