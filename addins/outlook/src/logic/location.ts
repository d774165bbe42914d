/**
 * The meeting's location holds places separated by semicolons (`Salle 4; https://…`). The Visio link is one
 * place among others: added once, removed alone, never touching the other places.
 */
import { findVisioLinks } from '@visio/shared/links';

const SEPARATOR = /\s*;\s*/;

function places(location: string): string[] {
  return location.split(SEPARATOR).map((p) => p.trim()).filter((p) => p !== '');
}

/** The room code of a place that is nothing but a Visio link, else null. */
function linkCode(place: string, instanceUrl: string): string | null {
  const link = findVisioLinks(place, instanceUrl)[0];
  return link && link.index === 0 && link.raw.length === place.length ? link.code : null;
}

/** Adds `url` as a place; a place that is another Visio link of the instance gives way to it. */
export function addLinkToLocation(location: string, url: string, instanceUrl: string): string {
  const code = linkCode(url, instanceUrl);
  const kept: string[] = [];
  let present = false;
  for (const place of places(location)) {
    const other = linkCode(place, instanceUrl);
    if (other === null) kept.push(place);
    else if (other === code && !present) {
      present = true;
      kept.push(url);
    }
  }
  if (!present) kept.push(url);
  return kept.join('; ');
}

/** Removes the places that are Visio links to one of `codes` (every Visio link when `codes` is null). */
export function removeLinksFromLocation(location: string, instanceUrl: string, codes: ReadonlySet<string> | null): string {
  const all = places(location);
  const kept = all.filter((place) => {
    const code = linkCode(place, instanceUrl);
    return code === null || (codes !== null && !codes.has(code));
  });
  // Nothing of ours: give the location back exactly as it was (spacing included).
  return kept.length === all.length ? location : kept.join('; ');
}
