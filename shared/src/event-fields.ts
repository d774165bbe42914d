/**
 * The Visio room in an event's fields, for every writer (gateway CalDAV/ICS, Outlook, Thunderbird, the
 * extension): the link in the location, the invitation block in an HTML or text description.
 *
 * Each client may put its own separator between the place and the link (Outlook's place list uses `; `,
 * Thunderbird has written ` – `, the others `, `), but every separator any client ever wrote is
 * recognised and cleaned, link-first layouts (`<link> ; Salle 4`, the extension's older copy) included:
 * an event written by one client is replaced and removed cleanly by any other.
 */
import { hasInvitation, removeInvitationHtml, removeInvitationText, upsertInvitationHtml, upsertInvitationText } from './invitation.js';
import { findVisioLinks, type VisioLink } from './links.js';

export { hasInvitation };

/** Put between a place and the link when none is given. */
export const DEFAULT_LOCATION_SEPARATOR = ', ';

/**
 * Separators writers have put before the link (`, ` gateway, `; ` Outlook, ` – ` Thunderbird) and after
 * it when it came first (` ; ` the extension's older copy). Removal takes back exactly the one found.
 */
const SEPARATORS_BEFORE = [' – ', '; ', ', '];
const SEPARATORS_AFTER = [' ; ', ' – ', '; ', ', '];

export interface PutLinkOptions {
  /** Put between the existing place and the link; default `, `. */
  separator?: string;
  /** Earlier links (an earlier room of this event), replaced where they stand by the new one. */
  replacing?: readonly string[];
}

/**
 * The location with the room's link: earlier links in `replacing` replaced where they stand, the same
 * room spelt otherwise (case, query) written canonically, else the link appended after `separator`.
 * A location already holding the link is returned as it is.
 */
export function addLinkToLocation(location: string, url: string, options: PutLinkOptions = {}): string {
  let place = location;
  for (const old of options.replacing ?? []) if (old !== url && old !== '') place = replaceAll(place, old, url);
  for (const link of sameRoom(place, url)) if (link.raw !== url) place = replaceAll(place, link.raw, url);
  if (place.includes(url)) return place;
  return place === '' ? url : place + (options.separator ?? DEFAULT_LOCATION_SEPARATOR) + url;
}

/** The location with `oldLink` replaced where it stands by `newUrl` (appended when absent). */
export function replaceLinkInLocation(location: string, oldLink: string, newUrl: string, options: Omit<PutLinkOptions, 'replacing'> = {}): string {
  return addLinkToLocation(location, newUrl, { ...options, replacing: [oldLink] });
}

/** The location without these links (exact strings) and without the separator put next to each. */
export function removeLinksFromLocation(location: string, links: readonly string[]): string {
  let place = location;
  for (const link of links) if (link !== '') place = stripLink(place, link);
  return place;
}

/** The Visio links of the instance in the location, of the given rooms only (every room when null). */
export function roomLinksInLocation(location: string, instanceUrl: string, codes: ReadonlySet<string> | null = null): VisioLink[] {
  return findVisioLinks(location, instanceUrl).filter((link) => codes === null || codes.has(link.code));
}

/** The location without the instance's links to these rooms (every Visio link when `codes` is null), in any spelling. */
export function removeRoomFromLocation(location: string, instanceUrl: string, codes: ReadonlySet<string> | null = null): string {
  const raws = new Set<string>();
  // Every occurrence of each spelling goes; longer spellings first so a shorter one cannot split them.
  for (const link of roomLinksInLocation(location, instanceUrl, codes)) raws.add(link.raw);
  return removeLinksFromLocation(
    location,
    [...raws].sort((a, b) => b.length - a.length),
  );
}

/** Visio links that are a place of their own (between separators), not words of a sentence (`Voir <link> ou…`). */
export function linkPlaces(location: string, instanceUrl: string): VisioLink[] {
  return findVisioLinks(location, instanceUrl).filter((link) => {
    const before = location.slice(0, link.index);
    const after = location.slice(link.index + link.raw.length);
    return onlySpaceSincePlaceBreak(before, -1) && onlySpaceSincePlaceBreak(after, 1);
  });
}

// ---------------------------------------------------------------------------------------------------
// Description

export type BodyKind = 'html' | 'text';

/** The body with the invitation block put in (an earlier block replaced where it stands). */
export function putInvitation(body: string, kind: BodyKind, block: { html: string; text: string }): string {
  return kind === 'html' ? upsertInvitationHtml(body, block.html) : upsertInvitationText(body, block.text);
}

/** The body without any invitation block, exactly as it was before the block was put in. */
export function removeInvitation(body: string, kind: BodyKind): string {
  return kind === 'html' ? removeInvitationHtml(body) : removeInvitationText(body);
}

// ---------------------------------------------------------------------------------------------------
// Internals

/** Links to the same room as `url` (any spelling) when `url` is a canonical Visio link; else none. */
function sameRoom(place: string, url: string): VisioLink[] {
  const slash = url.lastIndexOf('/');
  try {
    const code = url.slice(slash + 1);
    return findVisioLinks(place, url.slice(0, slash)).filter((link) => link.code === code);
  } catch {
    return []; // not a Visio instance URL: only the exact string is recognised
  }
}

/** Every `old` replaced by `url`, keeping only the first copy of `url`. */
function replaceAll(place: string, old: string, url: string): string {
  if (!place.includes(old)) return place;
  const replaced = place.split(old).join(url);
  const first = replaced.indexOf(url);
  return replaced.slice(0, first + url.length) + stripLink(replaced.slice(first + url.length), url);
}

/**
 * The place without the link: takes back exactly the separator a writer put before it (or after it, when
 * the link came first), and for other layouts drops one separator next to the link so none dangles.
 */
function stripLink(place: string, url: string): string {
  if (place === url) return '';
  let result = place;
  const before = SEPARATORS_BEFORE.find((separator) => result.endsWith(separator + url));
  if (before !== undefined) result = result.slice(0, -(before + url).length);
  else {
    const after = SEPARATORS_AFTER.find((separator) => result.startsWith(url + separator));
    if (after !== undefined) result = result.slice((url + after).length);
  }
  for (let at = result.indexOf(url); at !== -1; at = result.indexOf(url)) {
    const head = result.slice(0, at);
    const tail = result.slice(at + url.length);
    const trimmedHead = head.slice(0, lastNonSeparator(head) + 1);
    const trimmedTail = tail.slice(firstNonSeparator(tail));
    if (trimmedHead === '') result = trimmedTail;
    else if (trimmedTail === '') result = trimmedHead;
    // Keep the separator that followed the link: `A, <url>, B` gives `A, B`.
    else result = trimmedHead + tail.slice(0, tail.length - trimmedTail.length) + trimmedTail;
  }
  return result;
}

const PLACE_BREAKS = ',;|–—';
// Loops, not /[\s,;]*$/: that regex is quadratic on long runs of separators in hostile input.
const isSeparator = (char: string) => PLACE_BREAKS.includes(char) || /\s/.test(char);

function lastNonSeparator(text: string): number {
  let at = text.length - 1;
  while (at >= 0 && isSeparator(text[at]!)) at--;
  return at;
}

function firstNonSeparator(text: string): number {
  let at = 0;
  while (at < text.length && isSeparator(text[at]!)) at++;
  return at;
}

/** True when, walking from the link outwards (`step` -1 before it, 1 after), only spaces come before a place break or the end. */
function onlySpaceSincePlaceBreak(text: string, step: -1 | 1): boolean {
  for (let at = step < 0 ? text.length - 1 : 0; at >= 0 && at < text.length; at += step) {
    const char = text[at]!;
    if (PLACE_BREAKS.includes(char)) return true;
    if (!/\s/.test(char)) return false;
  }
  return true;
}
