/**
 * Dial-in formatting: the PIN as Visio shows it, a readable international number, and a `tel:` URI that
 * dials number and PIN in one tap. Inputs are checked strictly because they end up in links and invitations.
 */

const PIN = /^\d{1,20}$/;
// E.164: a country code that does not start with 0, at most 15 digits in all (same rule as the contract).
const E164 = /^\+[1-9]\d{4,14}$/;

// Calling codes of one or two digits (ITU-T E.164 assignments); every other code has three digits.
const ONE_DIGIT_CODES = new Set(['1', '7']);
const TWO_DIGIT_CODES = new Set('20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' '));
// French overseas departments: nine-digit national numbers shown like mainland ones (`+262 692 12 34 56`).
const FRENCH_OVERSEAS_CODES = new Set(['262', '590', '594', '596']);

/** `1234567890` → `123 456 7890#`: groups of three, the last one or two of four, then `#`. */
export function formatPin(pin: string): string {
  if (!PIN.test(pin)) throw new RangeError(`PIN must be 1 to 20 digits (0-9), got ${describe(pin)}`);
  return `${groupDigits(pin).join(' ')}#`;
}

/** `+33187210000` → `+33 1 87 21 00 00`; other countries keep `+` and their digits, in small groups. */
export function formatPhoneNumber(e164: string): string {
  checkE164(e164);
  const digits = e164.slice(1);
  const codeLength = ONE_DIGIT_CODES.has(digits.slice(0, 1)) ? 1 : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  const code = digits.slice(0, codeLength);
  const national = digits.slice(codeLength);
  let groups: string[];
  if (code === '33' && national.length === 9) groups = [national.slice(0, 1), ...pairs(national.slice(1))];
  else if (FRENCH_OVERSEAS_CODES.has(code) && national.length === 9) groups = [national.slice(0, 3), ...pairs(national.slice(3))];
  else if (code === '1' && national.length === 10) groups = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  else groups = groupDigits(national);
  return `+${code} ${groups.join(' ')}`;
}

/**
 * `tel:+33187210000,,1234567890%23`: each comma is a short pause, so the PIN is sent as tones once the
 * voice server answers. `#` must be percent-encoded or it would start a URI fragment.
 */
export function telUri(e164: string, pin?: string): string {
  checkE164(e164);
  if (pin === undefined) return `tel:${e164}`;
  if (!PIN.test(pin)) throw new RangeError(`PIN must be 1 to 20 digits (0-9), got ${describe(pin)}`);
  return `tel:${e164},,${pin}%23`;
}

function checkE164(e164: string): void {
  if (!E164.test(e164)) {
    throw new RangeError(`phone number must be in E.164 form: "+" then 5 to 15 digits, no spaces (e.g. +33187210000), got ${describe(e164)}`);
  }
}

/** Short runs stay whole; longer ones go in threes, ending with one or two groups of four. */
function groupDigits(digits: string): string[] {
  const n = digits.length;
  if (n <= 5) return [digits];
  const fours = n % 3 === 0 ? 0 : n % 3 === 1 ? 1 : 2;
  const groups: string[] = [];
  let at = 0;
  for (let i = 0; i < (n - 4 * fours) / 3; i++, at += 3) groups.push(digits.slice(at, at + 3));
  for (let i = 0; i < fours; i++, at += 4) groups.push(digits.slice(at, at + 4));
  return groups;
}

function pairs(digits: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < digits.length; at += 2) out.push(digits.slice(at, at + 2));
  return out;
}

// Quote a bad value for an error message, shortened so a huge input cannot flood logs.
function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
