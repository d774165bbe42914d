import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { generateRoomCode, isRoomCode, normalizeRoomCode, ROOM_CODE_PATTERN } from '../src/room-code.ts';

describe('room codes', () => {
  it('generates 10,000 codes that all match the pattern, with no repeats', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const code = generateRoomCode();
      expect(code).toMatch(ROOM_CODE_PATTERN);
      codes.add(code);
    }
    expect(codes.size).toBe(10_000);
  });

  it('draws letters uniformly: rejects biased bytes instead of folding them', () => {
    // An RNG that only ever returns 250 (a biased byte) then 0: the code must be all "a".
    let calls = 0;
    const code = generateRoomCode((bytes) => {
      calls++;
      return bytes.fill(calls === 1 ? 250 : 0);
    });
    expect(code).toBe('aaa-aaaa-aaa');
    expect(calls).toBe(2);
  });

  it('draws random bytes in blocks: one RNG call serves hundreds of codes', () => {
    const rng = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      for (let i = 0; i < 300; i++) generateRoomCode();
      // 300 codes take about 3,300 bytes: at most one 4 KB block drawn, whatever was left in the pool.
      expect(rng.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      rng.mockRestore();
    }
  });

  it('spreads letters over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const ch of generateRoomCode().replaceAll('-', '')) seen.add(ch);
    expect(seen.size).toBe(26);
  });

  it.each([
    ['abc-defg-hij', 'abc-defg-hij'],
    ['ABCDEFGHIJ', 'abc-defg-hij'],
    ['abcdefghij', 'abc-defg-hij'],
    ['ABC-DEFG-HIJ', 'abc-defg-hij'],
    ['  abc-defg-hij ', 'abc-defg-hij'],
  ])('normalises %j', (input, expected) => {
    expect(normalizeRoomCode(input)).toBe(expected);
  });

  it.each(['', 'abc-defg-hi', 'abcd-efg-hij', 'abc_defg_hij', 'abc-defg-hijk', 'abcdefghijk', 'àbc-defg-hij', 'abc-defg-hi1', '../etc/pass'])('refuses %j', (input) => {
    expect(normalizeRoomCode(input)).toBeNull();
    expect(isRoomCode(input)).toBe(false);
  });

  it('normalisation is idempotent and only ever yields valid codes', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const n = normalizeRoomCode(s);
        if (n !== null) {
          expect(isRoomCode(n)).toBe(true);
          expect(normalizeRoomCode(n)).toBe(n);
        }
      }),
    );
  });
});
