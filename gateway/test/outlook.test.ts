/**
 * The Outlook add-in as the gateway serves it, for every configuration an administrator can pick: each
 * XML manifest valid against Microsoft's XSDs (testing/contracts), and every file either manifest names
 * sent with the headers Office needs (Microsoft's documentation, cited in src/routes/outlook.ts).
 */
import { describe, expect, it } from 'vitest';
import { readRelease } from '@visio/outlook-addin/files';
import { unifiedVersion, xmlVersion } from '@visio/outlook-addin/manifest';
import { validateOutlookManifest } from '@visio/testing/outlook-manifest-schema';
import { startTestGateway, type TestGateway } from './harness.ts';

const PROVIDERS: Record<string, Record<string, string>> = {
  standalone: {},
  livekit: {
    VISIO_PROVIDER: 'livekit',
    LIVEKIT_URL: 'ws://127.0.0.1:7880',
    LIVEKIT_API_KEY: 'key',
    LIVEKIT_API_SECRET: 'secret-secret-secret-secret-secret-0123',
    LIVEKIT_MEET_URL: 'https://meet.example.gouv.fr',
  },
  meet: { VISIO_PROVIDER: 'meet', MEET_API_URL: 'https://meet.example.gouv.fr/external-api/v1.0', MEET_CLIENT_ID: 'id', MEET_CLIENT_SECRET: 'secret', MEET_PROBE_EMAIL: 'sonde@example.gouv.fr' },
};
const AUTH: Record<string, Record<string, string>> = {
  local: {},
  oidc: { OIDC_ISSUER: 'https://identite.example.gouv.fr', OIDC_CLIENT_ID: 'visio', OIDC_CLIENT_SECRET: 'secret' },
};

/** Every URL a manifest names (XML attributes and text, JSON strings), but Microsoft's schema address. */
function referencedUrls(text: string): string[] {
  const urls = text.match(/https?:\/\/[^"<\s]+/g) ?? [];
  return [...new Set(urls.map((u) => u.replace(/&amp;/g, '&')).filter((u) => !/^https?:\/\/(schemas|developer)\.microsoft\.com\//.test(u) && !u.startsWith('http://www.w3.org/')))];
}

async function served(gw: TestGateway) {
  const xml = {
    fr: await (await gw.fetch('/outlook/manifest.xml', { headers: { 'accept-language': 'fr-FR' } })).text(),
    en: await (await gw.fetch('/outlook/manifest.xml', { headers: { 'accept-language': 'en-US' } })).text(),
  };
  const json = {
    fr: await (await gw.fetch('/outlook/manifest.json', { headers: { 'accept-language': 'fr-FR' } })).text(),
    en: await (await gw.fetch('/outlook/manifest.json', { headers: { 'accept-language': 'en-US' } })).text(),
  };
  return { xml, json };
}

describe('Outlook add-in manifests served by the gateway', () => {
  const release = readRelease();

  for (const [provider, providerEnv] of Object.entries(PROVIDERS)) {
    for (const [auth, authEnv] of Object.entries(AUTH)) {
      it(`${provider} provider, ${auth} sign-in: every XML manifest (fr and en) is valid against Microsoft's XSDs and carries this build's version`, async () => {
        const gw = await startTestGateway({ ...providerEnv, ...authEnv, LOG_LEVEL: 'silent' });
        const { xml, json } = await served(gw);
        for (const lang of ['fr', 'en'] as const) {
          expect(validateOutlookManifest(xml[lang]), `${lang} manifest`).toEqual({ valid: true, errors: [] });
          expect(xml[lang]).toContain(`<Version>${xmlVersion(release)}</Version>`);
          expect(JSON.parse(json[lang]).version).toBe(unifiedVersion(release));
          for (const url of referencedUrls(xml[lang] + json[lang])) expect(url === gw.url || url.startsWith(`${gw.url}/`), url).toBe(true);
        }
      });
    }
  }

  it('sends every file the manifests name with the headers Office needs, and loosens nothing else', async () => {
    const gw = await startTestGateway({ LOG_LEVEL: 'silent' });
    const { xml, json } = await served(gw);
    const urls = referencedUrls(xml.fr + json.fr).filter((u) => u !== gw.url && u !== `${gw.url}/`);
    const icons = urls.filter((u) => /\.png\?v=/.test(u));
    const pages = urls.filter((u) => /\.html$/.test(new URL(u).pathname));
    expect(icons.length).toBeGreaterThan(10);
    expect(pages.map((u) => new URL(u).pathname).sort()).toEqual(['/outlook/commands.html', '/outlook/taskpane.html']);
    // Every icon URL names this build: a new build gives Office new URLs to cache.
    for (const url of icons) expect(new URL(url).searchParams.get('v')).toBe(xmlVersion(release));
    // The dialog page is not in the manifests (the task pane opens it): checked with them.
    for (const url of [...urls, `${gw.url}/outlook/auth-callback.html`, `${gw.url}/outlook/auth-callback.js`]) {
      const res = await gw.fetch(url.slice(gw.url.length));
      expect(res.status, url).toBe(200);
      await res.arrayBuffer();
      const h = res.headers;
      expect(h.get('cross-origin-resource-policy'), url).toBe('cross-origin');
      if (/\.png(\?|$)/.test(url)) {
        expect(h.get('cache-control'), url).toBeNull();
        expect(h.get('content-type')).toBe('image/png');
      }
      if (/\.html$/.test(new URL(url).pathname)) {
        expect(h.get('cross-origin-opener-policy') ?? 'unsafe-none', url).toBe('unsafe-none');
        const csp = h.get('content-security-policy')!;
        expect(csp).toMatch(/frame-ancestors 'self' https:\/\/outlook\.office\.com /);
        expect(csp).not.toMatch(/frame-ancestors[^;]*(\*(;|\s|$)|https:(;|\s|$)|'none')/);
        expect(h.get('x-frame-options'), url).toBeNull();
      }
    }
    // The rest of the gateway keeps its policy.
    for (const path of ['/', '/v1/config', '/outlook/manifest.xml', '/outlook/office/office.js']) {
      const res = await gw.fetch(path);
      await res.arrayBuffer();
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-site');
    }
  });

  it('/outlook/join (the web’s Join dialog) sends the dialog on to a Visio link of the instance only', async () => {
    const gw = await startTestGateway({ LOG_LEVEL: 'silent' });
    const join = (url: string) => gw.fetch(`/outlook/join?url=${encodeURIComponent(url)}`, { redirect: 'manual' });
    const ok = await join('https://visio.numerique.gouv.fr/ABC-DEFG-HIJ');
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('https://visio.numerique.gouv.fr/abc-defg-hij');
    expect(ok.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    for (const url of [
      'https://evil.example/abc-defg-hij',
      'https://visio.numerique.gouv.fr.evil.example/abc-defg-hij',
      'javascript:alert(1)',
      'https://visio.numerique.gouv.fr/abc-defg-hij https://evil.example/',
    ]) {
      const res = await join(url);
      expect(res.status, url).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('location')).toBeNull();
    }
    expect((await gw.fetch('/outlook/join?url=a&url=b')).status).toBe(400);
  });

  it('sign-in pages an Office dialog goes through keep their opener (no COOP same-origin)', async () => {
    const gw = await startTestGateway({ ...AUTH.oidc, LOG_LEVEL: 'silent' });
    for (const path of ['/auth/login?client_id=outlook', '/auth/callback?state=x']) {
      const res = await gw.fetch(path, { redirect: 'manual' });
      await res.arrayBuffer();
      expect(res.status, path).toBe(400);
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('unsafe-none');
    }
  });
});
