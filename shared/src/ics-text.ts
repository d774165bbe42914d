/** Value hygiene for ICS: what may go in a TEXT value, a parameter value, a cal-address. */
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
