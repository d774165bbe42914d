/**
 * Foreign meetings in an event's location field as a client edits it (plain text, not ICS): `Salle 4;
 * Microsoft Teams Meeting` as Outlook joins places, or a bare Zoom link after a room name. The field is read
 * the way findForeignMeetings reads a LOCATION property, and its spans mapped back onto the field's text.
 */
import { findForeignMeetings, removeForeignMeetings, type ForeignProvider, type ForeignScan, type ForeignSpan } from './foreign-meetings.js';

/** The location's foreign parts (as a LOCATION property's parts), with spans on the field's own text. */
export function scanForeignLocation(location: string): ForeignScan {
  const head = 'BEGIN:VEVENT\r\nLOCATION:';
  let value = '';
  // ics offset (from `head`) -> location offset, for the start and the end of each character.
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < location.length; i++) {
    const ch = location[i]!;
    const escaped = ch === '\\' || ch === ';' || ch === ',' ? `\\${ch}` : ch === '\n' ? '\\n' : ch === '\r' ? '' : ch;
    for (let k = 0; k < escaped.length; k++) {
      from.push(i);
      to.push(i + 1);
    }
    value += escaped;
  }
  const scan = findForeignMeetings(`${head}${value}\r\nEND:VEVENT\r\n`);
  const back = (span: ForeignSpan): ForeignSpan | null => {
    const a = span.start - head.length;
    const b = span.end - head.length;
    if (a < 0 || b > value.length || b <= a) return null;
    return { start: from[a]!, end: to[b - 1]! };
  };
  const spans = scan.spans.map(back).filter((s): s is ForeignSpan => s !== null);
  return { ...scan, spans };
}

/** Location without its foreign parts and links, and without the separator left dangling. */
export function cleanForeignLocation(location: string): { location: string; providers: ForeignProvider[] } {
  const parts = scanForeignLocation(location);
  const first = removeParts(location, parts.spans);
  // A link inside a part (`Salle 4 – https://zoom.us/j/…`), word by word: read as one body line, the
  // place before the link would count as its label (`Join: <url>`) and go with it.
  const links = linksInWords(first);
  const rest = removeParts(first, links.spans);
  const changed = parts.spans.length > 0 || links.spans.length > 0;
  const tidy = changed ? rest.replace(/[\s–,;|-]+$/u, '').replace(/^[\s–,;|-]+/u, '') : rest;
  return { location: tidy, providers: unionProviders(parts.providers, links.providers) };
}

/**
 * The spans taken out; a part between two others goes with the separator after it, and the space that
 * followed the separator before it stays (`Salle 2; Zoom; Salle 3` → `Salle 2; Salle 3`).
 */
function removeParts(text: string, spans: readonly ForeignSpan[]): string {
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start);
    const space = /^\s+/.exec(text.slice(span.start, span.end))?.[0];
    if (space && /[;,]$/.test(out) && span.end < text.length && !/^\s/.test(text.slice(span.end))) out += space;
    at = span.end;
  }
  return out + text.slice(at);
}

function linksInWords(text: string): ForeignScan {
  const scan: ForeignScan = { meetings: [], providers: [], spans: [] };
  for (const word of text.matchAll(/\S+/g)) {
    const found = findForeignMeetings(word[0]);
    for (const p of found.providers) if (!scan.providers.includes(p)) scan.providers.push(p);
    for (const span of found.spans) scan.spans.push({ start: span.start + word.index, end: span.end + word.index });
  }
  return scan;
}

/** Providers of several scans, each once, in order of first appearance. */
export function unionProviders(...lists: readonly ForeignProvider[][]): ForeignProvider[] {
  const out: ForeignProvider[] = [];
  for (const list of lists) for (const p of list) if (!out.includes(p)) out.push(p);
  return out;
}

/**
 * What "Passer à Visio" takes out of an item's body (HTML or text) and location: the cleaned fields and the
 * providers found. No providers: there is nothing to switch from, and the fields are returned as they were.
 */
export function cleanForeignFields(fields: { body: string; location?: string | undefined }): { body: string; location: string | undefined; providers: ForeignProvider[] } {
  const scan = findForeignMeetings(fields.body);
  const location = fields.location === undefined ? undefined : cleanForeignLocation(fields.location);
  return {
    body: removeForeignMeetings(fields.body, scan),
    location: location?.location,
    providers: unionProviders(scan.providers, location?.providers ?? []),
  };
}
