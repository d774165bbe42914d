/** Value hygiene for ICS: what may go in a TEXT value, a parameter value, a cal-address; LOCATION links. */
import { IcsError } from './ics-error.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// RFC 5545 TEXT forbids CONTROL characters except HTAB; line breaks are kept (as LF, escaped `\n`).
const TEXT_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** A TEXT value: CRLF and CR become LF, other control characters and lone surrogates are dropped. */
export function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(TEXT_CONTROLS, '').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * A parameter value (CN): RFC 5545 param values cannot hold DQUOTE or control characters, and many
 * clients ignore RFC 6868 escapes, so DQUOTE becomes an apostrophe and controls (line breaks too) become
 * spaces. Backslash becomes a slash: ical.js (so Thunderbird) reads `\,` or `\n` in a parameter as an
 * escape although RFC 5545 has none there. ical.js quotes the result when it holds `,`, `:` or `;`.
 */
export function cleanParam(value: string): string {
  return value
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .trim();
}

// Deliberately plain: one @, no spaces, quotes, angle brackets or separators that would need URI escaping.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

/** `mailto:` URI for an address; IcsError('invalid-email') for anything that is not a plain address. */
export function mailtoUri(email: string): string {
  const address = email.trim();
  if (address.length > 254 || !EMAIL.test(address)) {
    throw new IcsError('invalid-email', `Invalid e-mail address: ${JSON.stringify(email)}`);
  }
  return `mailto:${address}`;
}

const SEPARATOR = ', ';

/** The place with the link appended (`Salle 204, https://…`), or unchanged when it already holds it. */
export function appendLink(place: string, url: string): string {
  if (place.includes(url)) return place;
  return place === '' ? url : place + SEPARATOR + url;
}

/**
 * The place without the link: undoes appendLink exactly (`Salle 204, <url>` gives `Salle 204`), and for
 * other layouts drops one separator next to the link so no dangling comma is left.
 */
export function stripLink(place: string, url: string): string {
  if (place === url) return '';
  let result = place.endsWith(SEPARATOR + url) ? place.slice(0, -(SEPARATOR + url).length) : place;
  for (let at = result.indexOf(url); at !== -1; at = result.indexOf(url)) {
    const before = result.slice(0, at);
    const after = result.slice(at + url.length);
    const trimmedBefore = before.slice(0, lastNonSeparator(before) + 1);
    const trimmedAfter = after.slice(firstNonSeparator(after));
    if (trimmedBefore === '') result = trimmedAfter;
    else if (trimmedAfter === '') result = trimmedBefore;
    // Keep the separator that followed the link: `A, <url>, B` gives `A, B`.
    else result = trimmedBefore + after.slice(0, after.length - trimmedAfter.length) + trimmedAfter;
  }
  return result;
}

// Loops, not /[\s,;]*$/: that regex is quadratic on long runs of separators in hostile input.
const isSeparator = (char: string) => char === ',' || char === ';' || /\s/.test(char);

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

/** The place with the old link replaced in place by the new one (or appended when absent). */
export function replaceLink(place: string, oldUrl: string, newUrl: string): string {
  if (oldUrl === newUrl || !place.includes(oldUrl)) return appendLink(place, newUrl);
  const replaced = place.split(oldUrl).join(newUrl);
  // If the new link was already there too, keep a single copy.
  const first = replaced.indexOf(newUrl);
  return replaced.slice(0, first + newUrl.length) + stripLink(replaced.slice(first + newUrl.length), newUrl);
}
