import { describe, expect, it } from 'vitest';
import { IcsError } from '../src/ics-error.ts';
import { cleanParam, cleanText, mailtoUri } from '../src/ics-text.ts';

describe('value hygiene', () => {
  it('normalises line breaks and drops control characters in TEXT', () => {
    expect(cleanText('a\r\nb\rc\nd\u0000e\tf\u007f')).toBe('a\nb\nc\nde\tf');
  });

  it('makes names safe for a quoted parameter', () => {
    expect(cleanParam(' Ali "Le Chef"\r\nBen\\Ext ')).toBe("Ali 'Le Chef' Ben/Ext");
  });

  it('accepts plain addresses only', () => {
    expect(mailtoUri(' jeanne.dupont+visio@numerique.gouv.fr ')).toBe('mailto:jeanne.dupont+visio@numerique.gouv.fr');
    for (const bad of ['', 'x', 'a@b', 'a b@c.fr', 'a@b.fr\r\nX:1', '"a"@b.fr', 'a@b.fr;x', 'mailto:a@b.fr']) {
      expect(() => mailtoUri(bad), bad).toThrow(IcsError);
    }
  });
});
