import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPhoneNumber, formatPin, telUri } from '../src/telephony.ts';

describe('formatPin', () => {
  it.each([
    ['1234567890', '123 456 7890#'],
    ['1234', '1234#'],
    ['12345', '12345#'],
    ['123456', '123 456#'],
    ['1234567', '123 4567#'],
    ['12345678', '1234 5678#'],
    ['123456789', '123 456 789#'],
    ['12345678901', '123 4567 8901#'],
    ['0000000000', '000 000 0000#'],
  ])('formats %s as %s', (pin, shown) => {
    expect(formatPin(pin)).toBe(shown);
  });

  it.each(['', '123 456', '12a4', '1234#', '+1234', '１２３４', '123456789012345678901'])('refuses %j with a RangeError', (pin) => {
    expect(() => formatPin(pin)).toThrow(RangeError);
    expect(() => formatPin(pin)).toThrow(/PIN must be 1 to 20 digits/);
  });

  it('keeps every digit in order, in groups of 3 to 5, and ends with #', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,20}$/), (pin) => {
        const shown = formatPin(pin);
        expect(shown.endsWith('#')).toBe(true);
        expect(shown.slice(0, -1).replaceAll(' ', '')).toBe(pin);
        for (const group of shown.slice(0, -1).split(' ')) expect(group.length).toBeLessThanOrEqual(5);
        if (pin.length > 5) for (const group of shown.slice(0, -1).split(' ')) expect([3, 4]).toContain(group.length);
      }),
    );
  });
});

describe('formatPhoneNumber', () => {
  it.each([
    ['+33187210000', '+33 1 87 21 00 00'],
    ['+33612345678', '+33 6 12 34 56 78'],
    ['+262692123456', '+262 692 12 34 56'],
    ['+14155550100', '+1 415 555 0100'],
    ['+3222345678', '+32 2234 5678'],
    ['+4930123456789', '+49 301 2345 6789'],
    ['+352123456', '+352 123 456'],
    ['+35212345', '+352 12345'],
  ])('formats %s as %s', (e164, shown) => {
    expect(formatPhoneNumber(e164)).toBe(shown);
  });

  it.each(['', '33187210000', '+33 1 87 21 00 00', '+0187210000', '+33-187210000', '+1234', '+1234567890123456', 'tel:+33187210000'])('refuses %j with a RangeError', (value) => {
    expect(() => formatPhoneNumber(value)).toThrow(RangeError);
    expect(() => formatPhoneNumber(value)).toThrow(/E\.164/);
  });

  it('keeps + and every digit in order, only adding single spaces', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{4,14}$/), (e164) => {
        const shown = formatPhoneNumber(e164);
        expect(shown.replaceAll(' ', '')).toBe(e164);
        expect(shown).toMatch(/^\+\d+( \d+)+$/);
      }),
    );
  });
});

describe('telUri', () => {
  it('dials the number, pauses, then sends the PIN and an encoded #', () => {
    expect(telUri('+33187210000', '1234567890')).toBe('tel:+33187210000,,1234567890%23');
  });

  it('is a plain tel: URI without a PIN', () => {
    expect(telUri('+33187210000')).toBe('tel:+33187210000');
  });

  it('parses as a URI whose fragment is empty (the # is not a fragment)', () => {
    const uri = new URL(telUri('+33187210000', '1234567890'));
    expect(uri.protocol).toBe('tel:');
    expect(uri.hash).toBe('');
    expect(decodeURIComponent(uri.pathname)).toBe('+33187210000,,1234567890#');
  });

  it.each([
    ['+33 1 87 21 00 00', '1234'],
    ['+33187210000', '12 34'],
    ['+33187210000', ''],
    ['+33187210000', '1234#'],
    ['+33187210000', '1234,,9'],
  ])('refuses %j with PIN %j', (number, pin) => {
    expect(() => telUri(number, pin)).toThrow(RangeError);
  });
});
