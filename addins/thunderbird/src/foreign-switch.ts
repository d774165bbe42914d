/**
 * What "Switch to Visio" takes out of an event editor: the foreign meetings (Teams, Zoom…) that
 * `@visio/shared/foreign-meetings` finds in its location and description. Detection and spans are the
 * shared module's; this file only feeds it the editor's fields and applies the spans.
 */
import { findForeignMeetings, removeForeignMeetings, type ForeignProvider, type ForeignScan, type ForeignSpan } from '@visio/shared/foreign-meetings';

export interface ForeignCleanup {
  providers: ForeignProvider[];
  location: string;
  descriptionHTML: string;
  /** Properties of the stored item that hold the foreign meeting (X-MICROSOFT-SKYPETEAMSMEETINGURL…). */
  deleteProperties: string[];
}

/** Handled by the Visio fill itself (replaced, not deleted). */
const FILLED = new Set(['URL', 'CONFERENCE', 'X-VISIO-ROOM', 'LOCATION', 'DESCRIPTION', 'X-ALT-DESC']);

/** The stored item's properties the shared module attributes to a foreign meeting, and their providers. */
export function foreignProperties(ics: string): { names: string[]; providers: ForeignProvider[] } {
  const names: string[] = [];
  const providers: ForeignProvider[] = [];
  if (!ics) return { names, providers };
  for (const meeting of findForeignMeetings(ics).meetings) {
    if (meeting.kind !== 'property') continue;
    for (const span of meeting.spans) {
      const name = /^[A-Za-z0-9-]{1,64}/.exec(ics.slice(span.start, span.start + 64))?.[0].toUpperCase();
      if (!providers.includes(meeting.provider)) providers.push(meeting.provider);
      if (name && !FILLED.has(name) && !names.includes(name)) names.push(name);
    }
  }
  return { names, providers };
}

/**
 * The location as the shared module reads a LOCATION property (parts such as `Salle 4; Microsoft Teams
 * Meeting`, as Outlook joins them), with its spans mapped back onto the field's own text.
 */
export function scanLocation(location: string): ForeignScan {
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
export function cleanLocation(location: string): { location: string; providers: ForeignProvider[] } {
  const parts = scanLocation(location);
  const first = removeForeignMeetings(location, parts);
  // A link inside a part (`Salle 4 – https://zoom.us/j/…`), word by word: read as one body line, the
  // place before the link would count as its label (`Join: <url>`) and go with it.
  const links = linksInWords(first);
  const rest = removeForeignMeetings(first, links);
  const changed = parts.spans.length > 0 || links.spans.length > 0;
  const tidy = changed ? rest.replace(/[\s–,;|-]+$/u, '').replace(/^[\s–,;|-]+/u, '') : rest;
  return { location: tidy, providers: union(parts.providers, links.providers) };
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

/** What a switch would remove from these fields; no providers means there is nothing to switch from. */
export function foreignCleanup(fields: { location: string; descriptionHTML?: string; descriptionText: string; icalString?: string }): ForeignCleanup {
  const location = cleanLocation(fields.location);
  const html = fields.descriptionHTML ?? '';
  const description = findForeignMeetings(html);
  // A summary has no HTML: its text is read instead (nothing is written back there).
  const text = html ? null : findForeignMeetings(fields.descriptionText);
  const properties = foreignProperties(fields.icalString ?? '');
  return {
    providers: union(location.providers, description.providers, text?.providers ?? [], properties.providers),
    location: location.location,
    descriptionHTML: removeForeignMeetings(html, description),
    deleteProperties: properties.names,
  };
}

function union(...lists: ForeignProvider[][]): ForeignProvider[] {
  const out: ForeignProvider[] = [];
  for (const list of lists) for (const p of list) if (!out.includes(p)) out.push(p);
  return out;
}
