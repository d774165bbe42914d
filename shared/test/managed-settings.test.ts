/** The one schema of managed settings: what the page writes, and what each client declares it reads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANAGED_SETTINGS, managedSchema, managedValues, settingsFor } from '../src/managed-settings.ts';

const repo = join(import.meta.dirname, '..', '..');
const clientSchema = (path: string) => JSON.parse(readFileSync(join(repo, path), 'utf8')) as { properties: Record<string, { type: string; enum?: string[] }> };
const shape = (schema: { properties: Record<string, { type: string; enum?: string[] }> }) => Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, { type: v.type, enum: v.enum }]));

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
});
