/**
 * What "Switch to Visio" takes out of an event editor: the foreign meetings (Teams, Zoom…) that
 * `@visio/shared/foreign-meetings` finds in its location and description. Detection and spans are the
 * shared module's; this file only feeds it the editor's fields and applies the spans.
 */
import { cleanForeignLocation as cleanLocation, unionProviders as union } from '@visio/shared/foreign-location';
import { findForeignMeetings, removeForeignMeetings, type ForeignProvider } from '@visio/shared/foreign-meetings';

export { cleanForeignLocation as cleanLocation, scanForeignLocation as scanLocation } from '@visio/shared/foreign-location';

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
