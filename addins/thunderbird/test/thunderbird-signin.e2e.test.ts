/**
 * Sign-in in real Thunderbird (140 and 153 ESR): the built .xpi, its options page, and the window Thunderbird's own
 * `identity.launchWebAuthFlow` opens, against the gateway process in OIDC mode and the real OpenID provider.
 * The agent closes the window, then refuses consent, then signs in: the options page says each outcome in
 * the add-on's language (French here), and tokens are stored only in the last case.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { freePort, startOidcProvider, type TestOidcProvider } from '@visio/testing/oidc-provider';
import { launchThunderbird, thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { ADDON_ID, pageScripts as P, XPI } from './tb-scripts.ts';

// Gecko's identity.getRedirectURL(): the SHA-1 of the add-on id under extensions.allizom.org.
const REDIRECT = `https://${createHash('sha1').update(ADDON_ID).digest('hex')}.extensions.allizom.org/`;
const SECRET = 'thunderbird-e2e-secret-0123456789abcdef';
describe.each(thunderbirdInstallations().map((t) => [t.major, t.executable] as const))('sign-in from the options page in Thunderbird %s', (_major, executable) => {
  let op: TestOidcProvider;
  let gateway: GatewayProcess;
  let tb: Thunderbird;

  beforeAll(async () => {
    const port = await freePort();
    op = await startOidcProvider({ clients: [{ client_id: 'visio-gateway', client_secret: SECRET, redirect_uris: [`http://127.0.0.1:${port}/auth/callback`] }] });
    gateway = await startGatewayProcess({
      PORT: String(port),
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: 'visio-gateway',
      OIDC_CLIENT_SECRET: SECRET,
      OIDC_SCOPES: 'openid email given_name usual_name',
      VISIO_CLIENTS: JSON.stringify({ thunderbird: [REDIRECT] }),
    });
    tb = await launchThunderbird({ executable, addon: { id: ADDON_ID, xpi: XPI }, extensionStorage: { [ADDON_ID]: { gatewayUrl: gateway.url, lang: 'fr' } } });
    await tb.waitFor(
      `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
      return AddonManager.getAddonByID(arguments[0]).then((a) => Boolean(a && a.isActive));`,
      [ADDON_ID],
      { what: 'the add-on to be active' },
    );
    await tb.chrome(P.openOptions, ADDON_ID);
    await tb.waitFor(P.inOptions, ['return true;'], { what: 'the options page', timeoutMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
    await op?.close();
  });

  const options = <T>(script: string) => tb.chrome<T>(P.inOptions, script);
  const inAuth = <T>(script: string, what: string) => tb.waitFor<T>(P.inAuthWindow, [script, op.issuer], { what, timeoutMs: 20_000 });
  const status = () =>
    tb.waitFor<string>(P.inOptions, [`const s = document.getElementById('status'); return s.textContent ? s.textContent + '|' + s.lang : null;`], { what: 'a status message', timeoutMs: 20_000 });

  async function pressSignIn(): Promise<void> {
    expect(await options(`const b = document.getElementById('sign-in'); if (b.hidden) return 'hidden'; b.click(); return 'clicked';`)).toBe('clicked');
    await tb.waitFor(P.authWindowOpen, [], { what: 'Thunderbird’s sign-in window' });
  }

  /** Fills the provider's login form in the sign-in window and waits for its consent page. */
  async function logInAtProvider(login: string): Promise<void> {
    await inAuth(
      `const f = document.querySelector('input[name="login"]')?.form; if (!f) return null;
       f.login.value = arguments[0]; f.password.value = 'any-password'; setTimeout(() => f.submit(), 0); return true;`.replace('arguments[0]', JSON.stringify(login)),
      'the provider’s login form',
    );
    await inAuth(`return document.querySelector('input[name="prompt"][value="consent"]') ? true : null;`, 'the provider’s consent page');
  }

  test('the agent closes the sign-in window: “Connexion annulée.”, nothing stored', async () => {
    await pressSignIn();
    await inAuth(`return document.querySelector('input[name="login"]') ? true : null;`, 'the provider’s login page');
    await tb.chrome(P.closeAuthWindow);
    expect(await status()).toBe('Connexion annulée.|fr');
    expect(await tb.chrome(P.storedTokens, ADDON_ID)).toBeNull();
    expect(await options(`return document.getElementById('sign-in').hidden;`)).toBe(false);
  });

  test('the agent refuses consent: the French sentence, not the provider’s, nothing stored', async () => {
    await pressSignIn();
    await logInAtProvider('alice');
    // The provider's own "[ Cancel ]" link.
    await inAuth(`const a = [...document.links].find((l) => l.textContent.includes('Cancel')); if (!a) return null; setTimeout(() => a.click(), 0); return true;`, 'the Cancel link');
    expect(await status()).toBe('Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.|fr');
    // Thunderbird closed the window itself when the redirect came back.
    await tb.waitFor(P.authWindowClosed, [], { what: 'the sign-in window to close' });
    expect(await tb.chrome(P.storedTokens, ADDON_ID)).toBeNull();
  });

  test('the agent signs in: tokens for this gateway, the page says so, the gateway knows alice', async () => {
    await pressSignIn();
    // The provider still knows alice (same window cookies): only consent is asked.
    await inAuth(`return document.querySelector('input[name="prompt"]') ? true : null;`, 'a provider page');
    const prompt = await inAuth<string>(`return document.querySelector('input[name="prompt"]').value;`, 'the provider prompt');
    if (prompt === 'login') await logInAtProvider('alice');
    await inAuth(`const f = document.querySelector('input[name="prompt"][value="consent"]')?.form; if (!f) return null; setTimeout(() => f.submit(), 0); return true;`, 'the consent form');
    const stored = await tb.waitFor<{ accessToken: string; gatewayUrl: string }>(P.storedTokens, [ADDON_ID], { what: 'the stored tokens', timeoutMs: 20_000 });
    expect(stored.gatewayUrl).toBe(gateway.url);
    const me = await fetch(`${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${stored.accessToken}` } });
    expect(await me.json()).toMatchObject({ email: 'alice.martin@example.gouv.fr' });
    await tb.waitFor(P.inOptions, [`return document.getElementById('sign-in').hidden && !document.getElementById('sign-out').hidden ? true : null;`], { what: 'Sign out offered' });
  });
});
