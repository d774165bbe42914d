/** Visio room codes: three groups of lowercase ASCII letters, sizes 3-4-3 (`abc-defg-hij`). */

export const ROOM_CODE_PATTERN = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const GROUPS = [3, 4, 3] as const;
const LENGTH = 10;

export type RandomFill = (bytes: Uint8Array) => Uint8Array;

const cryptoFill: RandomFill = (bytes) => globalThis.crypto.getRandomValues(bytes);

/**
 * A fresh code from a cryptographic RNG. Bytes at or above 234 (9 × 26) are redrawn so each letter is
 * uniform: 26^10 ≈ 1.4e14 codes, unguessable enough for links that also need the instance's lobby.
 */
export function generateRoomCode(fill: RandomFill = cryptoFill): string {
  const letters: string[] = [];
  const limit = 256 - (256 % LETTERS.length);
  while (letters.length < LENGTH) {
    for (const byte of fill(new Uint8Array(16))) {
      if (byte < limit && letters.length < LENGTH) letters.push(LETTERS[byte % LETTERS.length]!);
    }
  }
  return group(letters.join(''));
}

export function isRoomCode(value: string): boolean {
  return ROOM_CODE_PATTERN.test(value);
}

/**
 * The canonical code for the forms the Visio web app accepts (`abc-defg-hij`, `ABC-DEFG-HIJ`,
 * `abcdefghij`, `ABCDEFGHIJ`), or null for anything else.
 */
export function normalizeRoomCode(value: string): string | null {
  const trimmed = value.trim().toLowerCase();
  if (ROOM_CODE_PATTERN.test(trimmed)) return trimmed;
  if (/^[a-z]{10}$/.test(trimmed)) return group(trimmed);
  return null;
}

function group(letters: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of GROUPS) {
    parts.push(letters.slice(at, at + size));
    at += size;
  }
  return parts.join('-');
}
