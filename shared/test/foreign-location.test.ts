import { describe, expect, it } from 'vitest';
import { cleanForeignFields, cleanForeignLocation, scanForeignLocation } from '../src/foreign-location.ts';

const ZOOM = 'https://us06web.zoom.us/j/81234567890?pwd=x';

describe('foreign meetings in a location field', () => {
  it.each([
    ['Salle 4.12; Réunion Microsoft Teams', 'Salle 4.12', ['teams']],
    ['Microsoft Teams Meeting', '', ['teams']],
    ['Réunion Microsoft Teams; Salle 4', 'Salle 4', ['teams']],
    ['Salle 2; Zoom; Salle 3', 'Salle 2; Salle 3', ['zoom']],
    [`Salle 2, ${ZOOM}, Salle 3`, 'Salle 2, Salle 3', ['zoom']],
    [`Salle 2 – ${ZOOM}`, 'Salle 2', ['zoom']],
    ['Salle 4.12; Réunion Microsoft Teams; https://visio.numerique.gouv.fr/abc-defg-hij', 'Salle 4.12; https://visio.numerique.gouv.fr/abc-defg-hij', ['teams']],
    // Only mentions: nothing goes.
    ['Salle Teams (2e étage)', 'Salle Teams (2e étage)', []],
    ['https://visio.numerique.gouv.fr/abc-defg-hij', 'https://visio.numerique.gouv.fr/abc-defg-hij', []],
  ])('%j → %j', (location, cleaned, providers) => {
    expect(cleanForeignLocation(location)).toEqual({ location: cleaned, providers });
  });

  it('maps spans back onto the field’s own text (escapes of the ICS reading undone)', () => {
    expect(scanForeignLocation('Bât. A, salle 3; Zoom').spans).toEqual([{ start: 15, end: 21 }]);
  });

  it('cleanForeignFields: body and location together, providers in order, fields unchanged without any', () => {
    const body = `<p>Bonjour</p><p>Rejoindre : <a href="${ZOOM}">${ZOOM}</a></p>`;
    const cleaned = cleanForeignFields({ body, location: 'Salle 2; Réunion Microsoft Teams' });
    expect(cleaned.providers).toEqual(['zoom', 'teams']);
    expect(cleaned.body).not.toContain('zoom.us');
    expect(cleaned.location).toBe('Salle 2');
    expect(cleanForeignFields({ body: '<p>Teams ou Zoom ?</p>', location: 'Salle 2' })).toEqual({ body: '<p>Teams ou Zoom ?</p>', location: 'Salle 2', providers: [] });
    expect(cleanForeignFields({ body: 'x' }).location).toBeUndefined();
  });
});
