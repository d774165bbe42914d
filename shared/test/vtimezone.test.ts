import { describe, expect, it } from 'vitest';
import { vtimezoneText } from '../src/vtimezone.ts';

const observances = (text: string) =>
  [...text.matchAll(/BEGIN:(STANDARD|DAYLIGHT)\r\n([\s\S]*?)END:\1/g)].map((m) => Object.fromEntries(m[2]!.trim().split('\r\n').map((l) => l.split(/:(.*)/s).slice(0, 2))) as Record<string, string>);

describe('vtimezoneText (from Intl)', () => {
  it('writes a yearly zone as two RRULE observances after the offset in force in 2000', () => {
    const text = vtimezoneText('Europe/Paris');
    expect(text).toMatch(/^BEGIN:VTIMEZONE\r\nTZID:Europe\/Paris\r\nX-LIC-LOCATION:Europe\/Paris\r\n/);
    expect(observances(text)).toEqual([
      { TZOFFSETFROM: '+0100', TZOFFSETTO: '+0100', DTSTART: '20000101T010000' },
      { TZOFFSETFROM: '+0100', TZOFFSETTO: '+0200', DTSTART: '20000326T020000', RRULE: 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU' },
      { TZOFFSETFROM: '+0200', TZOFFSETTO: '+0100', DTSTART: '20001029T030000', RRULE: 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU' },
    ]);
  });

  it('lists the changes before the current rules one per observance (no RDATE, which ical.js misreads)', () => {
    const text = vtimezoneText('America/Miquelon');
    expect(text).not.toContain('RDATE');
    const rules = observances(text).filter((o) => o.RRULE);
    expect(rules.map((o) => o.RRULE)).toEqual(['FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'FREQ=YEARLY;BYMONTH=11;BYDAY=1SU']);
    expect(rules[0]!.DTSTART).toBe('20070311T020000');
  });

  it('describes "Friday on or after the 23rd" (Israel) with BYMONTHDAY', () => {
    expect(observances(vtimezoneText('Asia/Jerusalem')).map((o) => o.RRULE).filter(Boolean)).toContain('FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=23,24,25,26,27,28,29;BYDAY=FR');
  });

  it('names the block after the name asked for, and gives a fixed zone one observance', () => {
    const text = vtimezoneText('Indian/Reunion', 'Indian/Reunion');
    expect(text).toContain('TZID:Indian/Reunion\r\n');
    expect(observances(text)).toEqual([{ TZOFFSETFROM: '+0400', TZOFFSETTO: '+0400', DTSTART: '20000101T040000' }]);
  });

  it('throws for a zone Intl does not know', () => {
    expect(() => vtimezoneText('Europe/Atlantis')).toThrow();
  });
});
