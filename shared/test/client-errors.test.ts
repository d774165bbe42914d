import { describe, expect, it } from 'vitest';
import { describeError, VisioApiError } from '../src/client.ts';

const problem = (status: number, type: string) => new VisioApiError('x', 'http', status, { type, title: 'T', status, detail: 'La Suite Meet has no user a@b.fr.' });

describe('describeError for faults only an administrator can fix', () => {
  it('tells the agent to sign in to Visio once when Visio has no account yet', () => {
    const e = problem(403, 'urn:visio:problem:provider-account-unknown');
    expect(describeError(e, 'fr')).toMatch(/^Votre compte Visio n’existe pas encore : connectez-vous une fois/);
    expect(describeError(e, 'en')).toMatch(/^Your Visio account does not exist yet: sign in to Visio once/);
  });

  it('sends the agent to the administrator when the organisation is not allowed', () => {
    const e = problem(403, 'urn:visio:problem:provider-refused');
    expect(describeError(e, 'fr')).toMatch(/Contactez votre administrateur\.$/);
    expect(describeError(e, 'en')).toMatch(/Contact your administrator\.$/);
    // Another 403 keeps the generic sentence.
    expect(describeError(problem(403, 'urn:visio:problem:forbidden'), 'en')).toBe('You are not allowed to do this.');
  });
});
