/** The one schema of managed settings: what the page writes, and what each client declares it reads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANAGED_SETTINGS, managedCalendar, managedSchema, managedValues, settingsFor, validateManaged } from '../src/managed-settings.ts';

const repo = join(import.meta.dirname, '..', '..');
type Property = { type: string; enum?: string[]; items?: { type: string } };
const clientSchema = (path: string) => JSON.parse(readFileSync(join(repo, path), 'utf8')) as { properties: Record<string, Property> };
const shape = (schema: { properties: Record<string, Property> }) => Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, { type: v.type, enum: v.enum, items: v.items }]));

const context = { gatewayUrl: 'https://visio-gw.example.gouv.fr', instanceUrl: 'https://visio.numerique.gouv.fr' };

describe('managed settings schema', () => {
  it('matches the managed-storage schema the Chromium extension declares (keys, types, values)', () => {
    expect(shape(managedSchema('chromium'))).toEqual(shape(clientSchema('extension/browser/static/managed-schema.json')));
  });

  it('matches the policy schema the Thunderbird add-on declares', () => {
    expect(shape(managedSchema('thunderbird'))).toEqual(shape(clientSchema('addins/thunderbird/static/policy-schema.json')));
  });

  it('writes the gateway and instance for every client, and only keys that client reads', () => {
    expect(managedValues('chromium', context)).toEqual({ ...context, accessLevel: 'default' });
    expect(managedValues('firefox', context)).toEqual({ ...context, accessLevel: 'default' });
    expect(managedValues('thunderbird', context)).toEqual({ ...context, releaseOnDelete: true });
  });

  it('says what each key means in French and English', () => {
    for (const s of MANAGED_SETTINGS) {
      expect(s.meaning.fr.length).toBeGreaterThan(10);
      expect(s.meaning.en.length).toBeGreaterThan(10);
      expect(s.meaning.fr).not.toBe(s.meaning.en);
      expect(s.clients.length).toBeGreaterThan(0);
    }
    expect(settingsFor('firefox').map((s) => s.key)).toEqual(settingsFor('chromium').map((s) => s.key));
  });

  it('declares auto-add and the enabled calendars for the browsers (the page documents them, writes none)', () => {
    expect(managedSchema('chromium').properties.autoAdd).toMatchObject({ type: 'boolean' });
    expect(managedSchema('chromium').properties.enabledCalendars).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(settingsFor('thunderbird').map((s) => s.key)).not.toContain('enabledCalendars');
    expect(managedValues('chromium', context)).not.toHaveProperty('autoAdd');
  });
});

describe('validateManaged', () => {
  it('keeps usable values, normalised', () => {
    expect(
      validateManaged('chromium', {
        gatewayUrl: 'https://visio-gw.example.gouv.fr/',
        accessLevel: 'restricted',
        autoAdd: true,
        enabledCalendars: ['outlook', 'sogo:https://sogo.example.gouv.fr/', 'outlook'],
      }),
    ).toEqual({
      valid: { gatewayUrl: 'https://visio-gw.example.gouv.fr', accessLevel: 'restricted', autoAdd: true, enabledCalendars: ['outlook', 'sogo:https://sogo.example.gouv.fr'] },
      invalid: {},
    });
  });

  it('reports every unusable value with what was pushed, never drops it silently', () => {
    expect(
      validateManaged('chromium', {
        gatewayUrl: 'http://passerelle.example.gouv.fr',
        accessLevel: 'everyone',
        autoAdd: 'yes',
        enabledCalendars: ['outlook', 'teams'],
      }),
    ).toEqual({
      valid: {},
      invalid: { gatewayUrl: 'http://passerelle.example.gouv.fr', accessLevel: 'everyone', autoAdd: 'yes', enabledCalendars: '["outlook","teams"]' },
    });
    expect(validateManaged('chromium', { enabledCalendars: 'outlook' }).invalid).toEqual({ enabledCalendars: 'outlook' });
    expect(validateManaged('chromium', { enabledCalendars: Array(51).fill('google') }).invalid).toHaveProperty('enabledCalendars');
  });

  it('reads only the keys that client reads, and nothing from a non-object', () => {
    expect(validateManaged('thunderbird', { autoAdd: true, releaseOnDelete: false })).toEqual({ valid: { releaseOnDelete: false }, invalid: {} });
    for (const raw of [null, 'x', [], 42]) expect(validateManaged('chromium', raw)).toEqual({ valid: {}, invalid: {} });
  });

  it.each([
    ['google', 'google'],
    ['nextcloud:https://cloud.example.gouv.fr', 'nextcloud:https://cloud.example.gouv.fr'],
    ['zimbra:https://mail.example.gouv.fr:8443', 'zimbra:https://mail.example.gouv.fr:8443'],
    ['sogo:http://sogo.example.gouv.fr', null],
    ['sogo:http://127.0.0.1:8080', null],
    ['sogo:https://sogo.example.gouv.fr/SOGo', null],
    ['roundcube', null],
    ['outlook:https://outlook.office.com', null],
    ['teams', null],
    [42, null],
  ])('calendar entry %j → %j', (input, expected) => {
    expect(managedCalendar(input)).toBe(expected);
  });
});
