/**
 * Sign-in end to end in Chromium: the popup's "Se connecter" runs identity.launchWebAuthFlow (from the
 * background) against a real gateway in OpenID Connect mode and a real OpenID provider; the agent signs in on
 * the provider's pages; the popup then shows who is signed in (GET /v1/me), creates rooms as that agent, and
 * signs out (the gateway refuses the old refresh token afterwards). Before that, the agent closes the sign-in
 * window, then refuses consent: the popup says so in French, stores nothing, and stays accessible.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import type { TestOidcProvider } from '@visio/testing/oidc-provider';
import { answerAtProvider, startSignInProvider } from '@visio/testing/signed-in-gateway';
import { startRig, type Rig } from './harness.ts';

let op: TestOidcProvider;
let rig: Rig;

beforeAll(async () => {
  // The rig starts the gateway once Chromium has given the extension its id (its redirect URI).
  const provider = await startSignInProvider();
  op = provider.op;
  rig = await startRig({ allowOrigins: [op.issuer], gatewayEnv: (id) => provider.gatewayEnv({ browser: [`https://${id}.chromiumapp.org/`] }) });
}, 60_000);

afterAll(async () => {
  await rig?.close();
  await op?.close();
});

async function sessionTokens(): Promise<{ accessToken: string; refreshToken: string } | undefined> {
  return rig.worker.evaluate(async () => {
    const g = globalThis as unknown as { chrome: { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } } };
    return (await g.chrome.storage.session.get('tokens')).tokens as { accessToken: string; refreshToken: string } | undefined;
  });
}

// Each test starts without a session at the provider (cookies are per host: this also drops the gateway's).
beforeEach(() => rig.browser.context.clearCookies());

async function openSignIn() {
  const popup = await rig.page('popup.html');
  await popup.getByText('Vous n’êtes pas connecté·e.').waitFor();
  // Signed out, the popup lists nothing and so shows no error (it used to ask for the rooms and show the 401).
  await popup.waitForLoadState('networkidle');
  expect(await popup.getByRole('alert').isHidden()).toBe(true);
  const [login] = await Promise.all([rig.browser.context.waitForEvent('page', { timeout: 15_000 }), popup.getByRole('button', { name: 'Se connecter' }).click()]);
  await login.waitForURL((u) => u.origin === op.issuer);
  return { popup, login };
}

describe('a sign-in that does not end with tokens', () => {
  it('the agent closes the sign-in window: “Connexion annulée.” as a notice, no alert, nothing stored', async () => {
    const { popup, login } = await openSignIn();
    await login.locator('input[name="login"]').waitFor();
    await login.close();
    await popup.getByRole('status').getByText('Connexion annulée.', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await popup.getByRole('alert').isHidden()).toBe(true);
    await popup.getByRole('button', { name: 'Se connecter' }).waitFor();
    expect(await popup.getByText('Vous n’êtes pas connecté·e.').isVisible()).toBe(true);
    expect(await sessionTokens()).toBeUndefined();
    expect(await axeViolations(popup)).toEqual([]);
    await popup.close();
  });

  it('the agent refuses consent at the provider (access_denied): the French sentence, not the provider’s, nothing stored', async () => {
    const { popup, login } = await openSignIn();
    await answerAtProvider(login, 'alice', 'refuse');

    const alert = popup.getByRole('alert');
    await alert.getByText('Connexion refusée : l’accès à votre compte n’a pas été autorisé.', { exact: false }).waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toBe('Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.');
    // The provider said "End-User aborted interaction": never shown.
    expect(await popup.locator('body').innerText()).not.toMatch(/aborted|access_denied/i);
    expect(await sessionTokens()).toBeUndefined();
    await popup.getByRole('button', { name: 'Se connecter' }).waitFor();
    expect(await axeViolations(popup)).toEqual([]);
    await popup.close();
  });
});

describe('sign-in from the popup through a real gateway and OpenID provider', () => {
  it('signs alice in with launchWebAuthFlow, shows who she is, creates a room as her, signs out', async () => {
    const popup = await rig.page('popup.html');
    await popup.getByText('Vous n’êtes pas connecté·e.').waitFor();
    const signIn = popup.getByRole('button', { name: 'Se connecter' });
    const [login] = await Promise.all([rig.browser.context.waitForEvent('page', { timeout: 15_000 }), signIn.click()]);
    await login.waitForURL((u) => u.origin === op.issuer);
    // The provider's development pages: login (any password), then consent.
    await answerAtProvider(login, 'alice');

    await popup.getByText('Connecté·e en tant que Alice Martin (alice.martin@example.gouv.fr).').waitFor({ timeout: 20_000 });
    const tokens = await sessionTokens();
    expect(tokens?.accessToken).toBeTruthy();

    await popup.getByRole('button', { name: 'Nouvelle réunion Visio' }).click();
    await popup.getByRole('heading', { name: 'Votre réunion est prête' }).waitFor();
    // The room belongs to alice: her token lists it, an anonymous call is refused.
    const mine = await fetch(`${rig.gateway.url}/v1/rooms`, { headers: { authorization: `Bearer ${tokens!.accessToken}` } });
    expect(((await mine.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect((await fetch(`${rig.gateway.url}/v1/rooms`)).status).toBe(401);

    // An expired access token is refreshed through the gateway (the refresh token rotates) without a new sign-in.
    await rig.worker.evaluate(async () => {
      const g = globalThis as unknown as { chrome: { storage: { session: { get(k: string): Promise<Record<string, any>>; set(v: unknown): Promise<void> } } } };
      const { tokens } = await g.chrome.storage.session.get('tokens');
      await g.chrome.storage.session.set({ tokens: { ...tokens, expiresAt: Date.now() - 1000 } });
    });
    await popup.reload();
    await popup.getByText('Connecté·e en tant que Alice Martin (alice.martin@example.gouv.fr).').waitFor({ timeout: 20_000 });
    const rotated = await sessionTokens();
    expect(rotated?.refreshToken).toBeTruthy();
    expect(rotated!.refreshToken).not.toBe(tokens!.refreshToken);

    await popup.getByRole('button', { name: 'Se déconnecter' }).click();
    await popup.getByText('Vous n’êtes pas connecté·e.').waitFor();
    expect(await sessionTokens()).toBeUndefined();
    // Signed out on the gateway too: the refresh token is dead.
    const refreshed = await fetch(`${rig.gateway.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rotated!.refreshToken, client_id: 'browser' }),
    });
    expect(refreshed.status).toBe(400);
    // The extension's own pages reached only the gateway (the provider's pages may ask for a web font: refused).
    expect(rig.foreign.filter((u) => !u.startsWith('https://fonts.'))).toEqual([]);
  });
});
