/** The pure rules: where the link goes in a location with several places, and what add/remove plan. */
import { describe, expect, it } from 'vitest';
import { renderInvitation } from '@visio/shared/invitation';
import { addLinkToLocation, removeLinksFromLocation } from '../src/logic/location.ts';
import { findJoinUrl, parseStoredRoom, planAdd, planRemove } from '../src/logic/plan.ts';
import { INSTANCE } from './fixtures.ts';

const A = `${INSTANCE}/abc-defg-hij`;
const B = `${INSTANCE}/bcd-efgh-ijk`;

describe('location', () => {
  it('keeps existing places and adds the link once', () => {
    expect(addLinkToLocation('', A, INSTANCE)).toBe(A);
    expect(addLinkToLocation('Salle 1; Bâtiment B', A, INSTANCE)).toBe(`Salle 1; Bâtiment B; ${A}`);
    expect(addLinkToLocation(`Salle 1; ${A}`, A, INSTANCE)).toBe(`Salle 1; ${A}`);
    expect(addLinkToLocation(`${A.toUpperCase().replace('HTTPS://VISIO.NUMERIQUE.GOUV.FR', INSTANCE)}; Salle 1`, A, INSTANCE)).toBe(`${A}; Salle 1`);
  });
  it('replaces another Visio link, and never touches a place that merely mentions one', () => {
    expect(addLinkToLocation(`${B}; Salle 1`, A, INSTANCE)).toBe(`Salle 1; ${A}`);
    expect(addLinkToLocation(`Voir ${B} ou salle 1`, A, INSTANCE)).toBe(`Voir ${B} ou salle 1; ${A}`);
    expect(addLinkToLocation('Teams: https://teams.microsoft.com/l/meetup-join/x', A, INSTANCE)).toBe(`Teams: https://teams.microsoft.com/l/meetup-join/x; ${A}`);
  });
  it('removes only the named links and gives the location back as it was otherwise', () => {
    expect(removeLinksFromLocation(`Salle 1; ${A}`, INSTANCE, new Set(['abc-defg-hij']))).toBe('Salle 1');
    expect(removeLinksFromLocation(`Salle 1; ${B}`, INSTANCE, new Set(['abc-defg-hij']))).toBe(`Salle 1; ${B}`);
    expect(removeLinksFromLocation('Salle 1 ;Salle 2', INSTANCE, null)).toBe('Salle 1 ;Salle 2');
    expect(removeLinksFromLocation(A, INSTANCE, null)).toBe('');
  });
});

describe('plans', () => {
  const room = { code: 'abc-defg-hij', url: A };
  const block = renderInvitation({ room });
  it('add returns only what changes', () => {
    const first = planAdd({ bodyType: 'html', body: '<p>x</p>', location: 'Salle' }, block, room, INSTANCE);
    expect(first.body).toBe(`<p>x</p>${block.html}`);
    expect(first.location).toBe(`Salle; ${A}`);
    expect(planAdd({ bodyType: 'html', body: first.body!, location: first.location! }, block, room, INSTANCE)).toEqual({});
    expect(planAdd({ bodyType: 'html', body: '<p>x</p>' }, block, room, INSTANCE)).not.toHaveProperty('location');
  });
  it('remove takes out what add put in', () => {
    const added = planAdd({ bodyType: 'text', body: 'Bonjour', location: 'Salle' }, block, room, INSTANCE);
    expect(planRemove({ bodyType: 'text', body: added.body!, location: added.location! }, null, INSTANCE)).toEqual({ body: 'Bonjour', location: 'Salle' });
  });
  it('reads stored rooms defensively and finds the join link', () => {
    expect(parseStoredRoom({ code: 'abc-defg-hij', url: A })).toEqual(room);
    expect(parseStoredRoom({ code: '<x>', url: A })).toBeNull();
    expect(parseStoredRoom({ code: 'abc-defg-hij', url: 'javascript:alert(1)' })).toBeNull();
    expect(parseStoredRoom('abc')).toBeNull();
    expect(findJoinUrl({ location: 'Salle', body: `<a href="${B}">x</a>` }, INSTANCE)).toBe(B);
    expect(findJoinUrl({ location: A, body: B }, INSTANCE)).toBe(A);
    expect(findJoinUrl({ body: 'rien' }, INSTANCE)).toBeNull();
  });
});
