/**
 * The built options page and Join popup in Debian's Chromium with axe-core (WCAG 2.1 A/AA), light and
 * dark, French and English. Chromium has no `messenger`: a stand-in with the same calls is injected,
 * answering from the built _locales and fixed background answers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';

const ADDON = join(import.meta.dirname, '..', 'dist', 'addon');
let chromium: Chromium;

beforeAll(async () => {
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
});

function stub(lang: 'fr' | 'en', answers: Record<string, unknown>, managed: Record<string, unknown> | null = null): string {
  const messages = JSON.parse(readFileSync(join(ADDON, '_locales', lang, 'messages.json'), 'utf8')) as Record<string, { message: string }>;
  return `(() => {
    const messages = ${JSON.stringify(messages)};
    const answers = ${JSON.stringify(answers)};
    const local = {};
    const managed = ${JSON.stringify(managed)};
    window.__sent = [];
    window.messenger = {
      i18n: {
        getUILanguage: () => ${JSON.stringify(lang)},
        getMessage: (name, subs) => { let m = messages[name]?.message ?? ''; [].concat(subs ?? []).forEach((s, i) => { m = m.replace('$' + (i === 0 ? 'CODE' : '') + '$', s); }); return m.replace(/\\$([A-Z]+)\\$/g, (_, k) => [].concat(subs ?? [])[k === 'URL' ? 1 : 0] ?? ''); },
      },
      storage: {
        local: { get: async () => ({ ...local }), set: async (v) => Object.assign(local, v) },
        managed: { get: async () => { if (!managed) throw new Error('no policy'); return managed; } },
        onChanged: { addListener: () => {} },
      },
      runtime: { sendMessage: async (m) => { window.__sent.push(m); return answers[m.type]; } },
      tabs: { query: async () => [{ id: 5 }] },
    };
  })();`;
}

async function open(page: string, lang: 'fr' | 'en', scheme: 'light' | 'dark', answers: Record<string, unknown>, managed: Record<string, unknown> | null = null) {
  const p = await chromium.context.newPage();
  await p.emulateMedia({ colorScheme: scheme });
  await p.addInitScript(stub(lang, answers, managed));
  await p.goto(pathToFileURL(join(ADDON, page)).href);
  return p;
}

describe('options page', () => {
  for (const [lang, scheme] of [
    ['fr', 'light'],
    ['en', 'dark'],
  ] as const) {
    test(`no WCAG 2.1 AA violation (${lang}, ${scheme}), with the error state shown`, async () => {
      const p = await open('options.html', lang, scheme, {
        'check-gateway': { ok: true, authMode: 'oidc', instanceName: 'Visio', instanceUrl: 'https://visio.numerique.gouv.fr' },
        'auth-state': { signedIn: false },
      });
      await expect.poll(() => p.textContent('#account-state')).not.toBe('');
      expect(await p.getAttribute('html', 'lang')).toBe(lang);
      expect(await axeViolations(p)).toEqual([]);
      // Invalid gateway: readable error tied to the field, focus moved there, axe still clean.
      await p.fill('#gatewayUrl', 'http://passerelle.example.fr');
      await p.click('button[type=submit]');
      await expect.poll(() => p.isVisible('#gatewayUrl-error')).toBe(true);
      expect(await p.getAttribute('#gatewayUrl', 'aria-invalid')).toBe('true');
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('gatewayUrl');
      expect(await p.textContent('#gatewayUrl-error')).toContain(lang === 'fr' ? 'Adresse invalide' : 'Invalid address');
      expect(await axeViolations(p)).toEqual([]);
      await p.close();
    });
  }

  test('a refused sign-in is announced as plain text, marked with its own language when it differs from the page', async () => {
    // The background's answer (src/auth.ts signInAnswer) when the add-on speaks French in an English Thunderbird.
    const message = 'Connexion refusée : l’accès à votre compte n’a pas été autorisé. <b>Recommencez</b>';
    const p = await open('options.html', 'en', 'light', {
      'check-gateway': { ok: true, authMode: 'oidc', instanceName: 'Visio', instanceUrl: 'https://visio.numerique.gouv.fr' },
      'auth-state': { signedIn: false },
      'sign-in': { ok: false, message, lang: 'fr', cancelled: false },
    });
    await expect.poll(() => p.textContent('#account-state')).not.toBe('');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => p.textContent('#status')).toBe(message);
    expect(await p.locator('#status b').count()).toBe(0);
    expect(await p.getAttribute('#status', 'lang')).toBe('fr');
    expect(await p.getAttribute('#status', 'role')).toBe('status');
    expect(await axeViolations(p)).toEqual([]);
    await p.close();
  });

  test('values set by policy are shown read-only', async () => {
    const p = await open('options.html', 'fr', 'light', { 'check-gateway': { ok: true, authMode: 'local' }, 'auth-state': { signedIn: false } }, { gatewayUrl: 'https://passerelle.example.gouv.fr' });
    await expect.poll(() => p.inputValue('#gatewayUrl')).toBe('https://passerelle.example.gouv.fr');
    expect(await p.isDisabled('#gatewayUrl')).toBe(true);
    expect(await p.isDisabled('#instanceUrl')).toBe(false);
    expect(await p.isVisible('#managed-note')).toBe(true);
    await expect.poll(() => p.textContent('#account-state')).toContain('mode local');
    expect(await p.isHidden('#sign-in')).toBe(true);
    expect(await axeViolations(p)).toEqual([]);
    await p.close();
  });
});

describe('Join popup', () => {
  for (const [lang, scheme] of [
    ['fr', 'light'],
    ['en', 'dark'],
  ] as const) {
    test(`lists the message's links with labelled Join buttons, no WCAG 2.1 AA violation (${lang}, ${scheme})`, async () => {
      const links = [{ code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' }];
      const p = await open('join.html', lang, scheme, { 'message-links': links, 'open-link': true });
      await p.waitForSelector('#links button');
      const label = await p.getAttribute('#links button', 'aria-label');
      expect(label).toBe(lang === 'fr' ? 'Rejoindre la réunion abc-defg-hij' : 'Join meeting abc-defg-hij');
      expect(await p.evaluate(() => document.activeElement?.tagName)).toBe('BUTTON');
      expect(await axeViolations(p)).toEqual([]);
      await p.keyboard.press('Enter');
      await expect.poll(() => p.evaluate(() => (window as unknown as { __sent: { type: string; url?: string }[] }).__sent.at(-1))).toEqual({ type: 'open-link', url: links[0]!.url });
      await p.close();
    });
  }

  test('says so when the message has no link', async () => {
    const p = await open('join.html', 'fr', 'light', { 'message-links': [] });
    await expect.poll(() => p.isVisible('#none')).toBe(true);
    expect(await axeViolations(p)).toEqual([]);
    await p.close();
  });
});
