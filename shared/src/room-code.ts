/** Visio room codes: three groups of lowercase ASCII letters, sizes 3-4-3 (`abc-defg-hij`). */

export const ROOM_CODE_PATTERN = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const GROUPS = [3, 4, 3] as const;
const LENGTH = 10;

export type RandomFill = (bytes: Uint8Array) => Uint8Array;

const cryptoFill: RandomFill = (bytes) => globalThis.crypto.getRandomValues(bytes);

/** Bytes handed out one by one from blocks of `size` drawn at once (one RNG call per block, not per code). */
function blockSource(fill: RandomFill, size: number): () => number {
  let block: Uint8Array = new Uint8Array(0);
  let at = 0;
  return () => {
    if (at >= block.length) {
      block = fill(new Uint8Array(size));
      at = 0;
    }
    return block[at++]!;
  };
}

// 4 KB: about 390 codes per draw.
const pooledByte = blockSource(cryptoFill, 4096);
const UNBIASED_BELOW = 256 - (256 % LETTERS.length);

/**
 * A fresh code from a cryptographic RNG. Bytes at or above 234 (9 × 26) are redrawn so each letter is
 * uniform: 26^10 ≈ 1.4e14 codes, unguessable enough for links that also need the instance's lobby.
 * With `fill`, bytes come from it, 16 at a time (tests).
 */
export function generateRoomCode(fill?: RandomFill): string {
  const nextByte = fill ? blockSource(fill, 16) : pooledByte;
  let letters = '';
  while (letters.length < LENGTH) {
    const byte = nextByte();
    if (byte < UNBIASED_BELOW) letters += LETTERS[byte % LETTERS.length]!;
  }
  return group(letters);
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
