/** ICS fixtures of test/fixtures/ics (each names its source) and what the gateway's switch does to them. */
import { readFileSync } from 'node:fs';
import { findForeignMeetings, removeForeignMeetings } from '../src/foreign-meetings.ts';
import { addRoomToIcs } from '../src/ics.ts';

/** A fixture of test/fixtures/ics: header, `====`, the object (CRLF when the header says so). */
export function icsFixture(name: string): string {
  const raw = readFileSync(new URL(`./fixtures/ics/${name}.txt`, import.meta.url), 'utf8');
  const split = raw.indexOf('\n====\n');
  const body = raw.slice(split + 6);
  return /^crlf: yes/m.test(raw.slice(0, split)) ? body.replace(/\r?\n/g, '\r\n') : body;
}

export const OUTLOOK_TEAMS_SERIES = 'outlook-16-teams-series';
export const ROOM = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };

/** What the gateway's switch does (gateway/src/switch.ts): the foreign spans out, then the room added. */
export function switchIcs(ics: string): { cleaned: string; switched: string } {
  const cleaned = removeForeignMeetings(ics, findForeignMeetings(ics));
  return { cleaned, switched: addRoomToIcs(cleaned, ROOM, { lang: 'en', now: new Date('2026-12-01T10:00:00Z') }) };
}
