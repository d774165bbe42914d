/**
 * Teaches ical.js the RFC 7986 CONFERENCE property and its FEATURE parameter. Without this, an array
 * FEATURE value crashes the serialiser and a string one comes out quoted (`FEATURE="AUDIO,VIDEO"`).
 */
import ICAL from 'ical.js';

interface DesignSet {
  param: Record<string, Record<string, unknown>>;
  property: Record<string, Record<string, unknown>>;
}

let done = false;

/** Idempotent; called by every ics.ts entry point rather than at import (the package has no side effects). */
export function ensureConferenceDesign(): void {
  if (done) return;
  const set = ICAL.design.icalendar as unknown as DesignSet;
  set.param['feature'] ??= { multiValue: ',' };
  // Default type "unknown", not "uri": ical.js drops the VALUE parameter when the value has the default
  // type, and RFC 7986 requires `VALUE=URI` on CONFERENCE. Lines carrying VALUE=URI parse as uri (and
  // keep it on output); lines without it stay verbatim.
  set.property['conference'] ??= { defaultType: 'unknown', allowedTypes: ['uri', 'unknown'] };
  // Outlook's HTML description is TEXT-escaped like DESCRIPTION (`\;`, `\,`, `\n`); unknown, it would be read raw.
  set.property['x-alt-desc'] ??= { defaultType: 'text' };
  done = true;
}
