/**
 * The meeting's location holds places separated by semicolons (`Salle 4; https://…`), Outlook's own
 * place list. The Visio link is one place among others: added once, removed alone. The rules are
 * shared/event-fields' (every client's separators recognised); only the separator is Outlook's.
 */
import { addLinkToLocation as putLink, linkPlaces, removeLinksFromLocation as removeLinks, removeRoomFromLocation } from '@visio/shared/event-fields';

/** Adds `url` as the last place; a place that is another Visio link of the instance gives way to it. */
export function addLinkToLocation(location: string, url: string, instanceUrl: string): string {
  const code = url.slice(url.lastIndexOf('/') + 1);
  const others = linkPlaces(location, instanceUrl).filter((link) => link.code !== code);
  return putLink(
    removeLinks(
      location,
      others.map((link) => link.raw),
    ),
    url,
    { separator: '; ' },
  );
}

/** Removes the Visio links to one of `codes` (every Visio link when `codes` is null). */
export function removeLinksFromLocation(location: string, instanceUrl: string, codes: ReadonlySet<string> | null): string {
  return removeRoomFromLocation(location, instanceUrl, codes);
}
