import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addLinkToLocation, linkPlaces, putInvitation, removeInvitation, removeLinksFromLocation, removeRoomFromLocation, replaceLinkInLocation } from '../src/event-fields.ts';
import { renderInvitation } from '../src/invitation.ts';

const INSTANCE = 'https://visio.numerique.gouv.fr';
const a = `${INSTANCE}/abc-defg-hij`;
const b = `${INSTANCE}/xyz-wxyz-klm`;
const appendLink = (place: string, url: string) => addLinkToLocation(place, url);
const stripLink = (place: string, url: string) => removeLinksFromLocation(place, [url]);
const replaceLink = (place: string, old: string, url: string) => replaceLinkInLocation(place, old, url);

describe('location links', () => {
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

  it('writes the same room spelt otherwise canonically, once', () => {
    expect(addLinkToLocation(`${a.toUpperCase().replace('HTTPS://VISIO.NUMERIQUE.GOUV.FR', INSTANCE)}; Salle 1`, a)).toBe(`${a}; Salle 1`);
    expect(addLinkToLocation(`Salle 1, ${a}?lang=fr, ${a}`, a)).toBe(`Salle 1, ${a}`);
  });

  // What each writer has put there, old copies included: `, ` (gateway), `; ` (Outlook), ` – `
  // (Thunderbird), link first with ` ; ` (the extension before shared/event-fields).
  it.each([
    [`Salle 4, ${a}`, 'Salle 4'],
    [`Salle 4; ${a}`, 'Salle 4'],
    [`Salle 4 – ${a}`, 'Salle 4'],
    [`${a} ; Salle 4`, 'Salle 4'],
    [`${a} – Salle 4`, 'Salle 4'],
    [`Salle 4 ; ${a} – étage 2`, 'Salle 4 – étage 2'],
  ])('takes back the separator any writer put: %j', (place, expected) => {
    expect(removeRoomFromLocation(place, INSTANCE, new Set(['abc-defg-hij']))).toBe(expected);
    expect(removeRoomFromLocation(place, INSTANCE, new Set(['xyz-wxyz-klm']))).toBe(place);
    expect(removeRoomFromLocation(place.replace(a, a.toUpperCase().replace('HTTPS://VISIO.NUMERIQUE.GOUV.FR', INSTANCE)), INSTANCE)).toBe(expected);
  });

  it('tells a link that is a place from one inside a sentence', () => {
    expect(linkPlaces(`${b}; Salle 1`, INSTANCE).map((l) => l.code)).toEqual(['xyz-wxyz-klm']);
    expect(linkPlaces(`Salle 1 – ${b}`, INSTANCE).map((l) => l.code)).toEqual(['xyz-wxyz-klm']);
    expect(linkPlaces(`Voir ${b} ou salle 1`, INSTANCE)).toEqual([]);
  });

  it('remove undoes add for any place and any separator', () => {
    const separator = fc.constantFrom(', ', '; ', ' – ');
    const place = fc.string({ unit: fc.constantFrom('Salle', ' ', ',', ';', '–', '4', 'é', '\n', 'https://'), maxLength: 12 });
    fc.assert(
      fc.property(place, separator, (p, s) => {
        const added = addLinkToLocation(p, a, { separator: s });
        expect(removeLinksFromLocation(added, [a])).toBe(p);
        expect(addLinkToLocation(added, a, { separator: s })).toBe(added);
        expect(removeLinksFromLocation(replaceLinkInLocation(added, a, b), [b])).toBe(p);
      }),
      { numRuns: 300 },
    );
  });

  it('stays linear on long runs of separators', () => {
    const hostile = `Salle${';'.repeat(200_000)}${a}${' ,'.repeat(200_000)}4`;
    expect(removeLinksFromLocation(hostile, [a]) === `Salle${' ,'.repeat(200_000)}4`).toBe(true);
  });
});

describe('description', () => {
  const block = renderInvitation({ room: { code: 'abc-defg-hij', url: a } });
  it.each(['html', 'text'] as const)('puts and removes the %s block', (kind) => {
    const body = kind === 'html' ? '<p>Ordre du jour</p>' : 'Ordre du jour';
    const put = putInvitation(body, kind, block);
    expect(put).toContain(kind === 'html' ? block.html : block.text);
    expect(putInvitation(put, kind, block)).toBe(put);
    expect(removeInvitation(put, kind)).toBe(body);
  });
});
