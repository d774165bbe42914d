import { describe, expect, it } from 'vitest';
import { normalizeServiceUrl } from '../src/service-url.ts';

describe('normalizeServiceUrl', () => {
  it('keeps https addresses and http on loopback, without trailing slash', () => {
    expect(normalizeServiceUrl(' https://passerelle.example.gouv.fr/visio/ ')).toBe('https://passerelle.example.gouv.fr/visio');
    expect(normalizeServiceUrl('https://visio.numerique.gouv.fr')).toBe('https://visio.numerique.gouv.fr');
    expect(normalizeServiceUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(normalizeServiceUrl('http://localhost:8787')).toBe('http://localhost:8787');
    expect(normalizeServiceUrl('http://[::1]:8787')).toBe('http://[::1]:8787');
  });

  it.each([
    ['plain http to a public host', 'http://passerelle.example.gouv.fr'],
    ['credentials', 'https://agent:secret@passerelle.example.gouv.fr'],
    ['a query', 'https://passerelle.example.gouv.fr/?next=https://evil.example'],
    ['a fragment', 'https://passerelle.example.gouv.fr/#x'],
    ['another scheme', 'javascript:alert(1)'],
    ['not a URL', 'passerelle'],
    ['empty', ''],
    ['not a string', 42],
  ])('refuses %s', (_what, value) => {
    expect(normalizeServiceUrl(value)).toBeNull();
  });
});
