/** Foreign meetings for the switch tests, from the shared corpus (shared/test/fixtures/foreign-meetings). */
import { readFileSync } from 'node:fs';
import { corpusBody as sharedCorpusBody } from '@visio/testing/foreign-corpus';

/** The input body of a corpus file (markers removed). */
export function corpusBody(file: string): string {
  return sharedCorpusBody(file).input;
}

/**
 * A published Outlook 16 export of a Teams series (shared/test/fixtures/ics/outlook-16-teams-series.txt),
 * as a calendar object resource: a fresh UID, and no METHOD (RFC 4791 4.1).
 */
export function outlookTeamsSeries(uid: string): string {
  const raw = readFileSync(new URL('../../shared/test/fixtures/ics/outlook-16-teams-series.txt', import.meta.url), 'utf8');
  return raw
    .slice(raw.indexOf('\n====\n') + 6)
    .replace(/\r?\n/g, '\r\n')
    .replace(/^METHOD:.*\r\n/m, '')
    .replace(/^UID:.*\r\n(?:[ \t].*\r\n)*/m, `UID:${uid}\r\n`);
}

/** A text value escaped for an ICS content line (RFC 5545 3.3.11). */
export const icsText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

export const TEAMS_URL =
  'https://teams.microsoft.com/l/meetup-join/19%3ameeting_MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw%40thread.v2/0?context=%7b%22Tid%22%3a%2200000000-0000-0000-0000-000000000001%22%2c%22Oid%22%3a%2200000000-0000-0000-0000-000000000002%22%7d';
export const ZOOM_URL = 'https://ucla.zoom.us/j/98765432109?pwd=UjJaZk1BZUZrRzNmWUlFYnFnZz09';

/** Properties of a Teams event as Exchange writes them (corpus teams/ics-en-exchange.txt). */
export function teamsProperties(): { description: string; location: string; extra: string[] } {
  return {
    description: icsText(corpusBody('teams/text-en-exchange.txt')),
    location: 'Microsoft Teams Meeting',
    extra: [`X-MICROSOFT-SKYPETEAMSMEETINGURL:${TEAMS_URL}`],
  };
}

/** A Zoom invitation body (corpus zoom/text-en-full.txt) and the join link as LOCATION. */
export function zoomProperties(): { description: string; location: string } {
  return { description: icsText(corpusBody('zoom/text-en-full.txt')), location: ZOOM_URL };
}
