import { describe, expect, it } from 'vitest';
import { IcsError } from '../src/ics-error.ts';
import { appendLink, cleanParam, cleanText, mailtoUri, replaceLink, stripLink } from '../src/ics-text.ts';

const a = 'https://visio.numerique.gouv.fr/abc-defg-hij';
const b = 'https://visio.numerique.gouv.fr/xyz-wxyz-klm';

describe('LOCATION links', () => {
  it.each(['', 'Salle 204', 'Salle 204, ', ' ', 'Salle 204; bâtiment B', '\n'])('strip undoes append for %j', (place) => {
    expect(stripLink(appendLink(place, a), a)).toBe(place);
  });

  it('never appends twice', () => {
    expect(appendLink(appendLink('Salle 204', a), a)).toBe(`Salle 204, ${a}`);
  });

  it.each([
    [`${a}, Salle 204`, 'Salle 204'],
    [`Salle 204 ; ${a} ; étage 2`, 'Salle 204 ; étage 2'],
    [`Salle 204 ${a}`, 'Salle 204'],
    [`${a}`, ''],
    [`${a}, ${a}`, ''],
  ])('strips %j without dangling separators', (place, expected) => {
    expect(stripLink(place, a)).toBe(expected);
  });

  it('replaces a link where it stands', () => {
    expect(replaceLink(`${a}, Salle 204`, a, b)).toBe(`${b}, Salle 204`);
    expect(replaceLink(`Salle 204, ${a}, ${b}`, a, b)).toBe(`Salle 204, ${b}`);
    expect(replaceLink('Salle 204', a, b)).toBe(`Salle 204, ${b}`);
  });
});

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
