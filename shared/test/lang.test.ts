import { describe, expect, it } from 'vitest';
import { instantMeeting } from '../src/instant-meeting.ts';
import { langFor } from '../src/lang.ts';

describe('langFor: French first', () => {
  it.each([
    ['fr-FR', undefined, 'fr'],
    ['en-GB', undefined, 'en'],
    ['EN', undefined, 'en'],
    ['en_US', undefined, 'en'],
    ['de-DE', undefined, 'fr'],
    ['eng', undefined, 'fr'],
    ['', undefined, 'fr'],
    [undefined, undefined, 'fr'],
    ['en-US', 'fr', 'fr'],
    ['fr-FR', 'en', 'en'],
    ['en-US', 'auto', 'en'],
  ] as const)('%s with choice %s gives %s', (tag, choice, expected) => {
    expect(langFor(tag, choice)).toBe(expected);
  });
});

describe('instantMeeting', () => {
  const input = { room: 'abc-defg-hij', title: 'Point', lang: 'fr' as const };
  it('starts at the next quarter hour and lasts one hour', () => {
    expect(instantMeeting(input, Date.parse('2026-12-01T10:07:30Z'), 'Europe/Berlin')).toEqual({
      ...input,
      start: '2026-12-01T10:15:00.000Z',
      end: '2026-12-01T11:15:00.000Z',
      timeZone: 'Europe/Berlin',
    });
    expect(instantMeeting(input, Date.parse('2026-12-01T10:15:00Z'), 'UTC').start).toBe('2026-12-01T10:15:00.000Z');
  });
  it('falls back to Europe/Paris when the browser gives no time zone', () => {
    expect(instantMeeting(input, 0, '').timeZone).toBe('Europe/Paris');
  });
});
