/**
 * End to end in real Chromium: the gateway page (a registered client) signs in through a real OpenID provider
 * (its login and consent pages), exchanges the code, creates a room as that agent; another agent gets 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '@visio/testing/axe';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import type { GatewayProcess } from '@visio/testing/gateway-process';
import { TestUserAgent, type TestOidcProvider } from '@visio/testing/oidc-provider';
import { answerAtProvider, keepOnLoopback, startSignedInGateway, type SignedInGateway } from '@visio/testing/signed-in-gateway';
import { beginSignIn, readRedirect } from '@visio/shared/sign-in';

const CLIENT = { id: 'test-app', redirectUri: 'https://test-app.example/callback' };
let signedIn: SignedInGateway<GatewayProcess>;
let op: TestOidcProvider;
let gateway: GatewayProcess;
let browser: Chromium;
const foreign: string[] = [];

beforeAll(async () => {
  signedIn = await startSignedInGateway({ clients: { [CLIENT.id]: [CLIENT.redirectUri] }, env: { LOG_LEVEL: 'info' } });
  ({ op, gateway } = signedIn);
  browser = await launchChromium();
  // Nothing leaves loopback (the provider's development pages link a web font: refused, and noted).
  await keepOnLoopback(browser.context, foreign);
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await signedIn?.close();
});

async function bobToken(): Promise<string> {
  const pending = await beginSignIn({ endpoints: { loginUrl: `${gateway.url}/auth/login`, tokenUrl: '' }, clientId: CLIENT.id, redirectUri: CLIENT.redirectUri });
  const landed = await new TestUserAgent().signIn(pending.url, 'bob', (u) => u.origin === 'https://test-app.example');
  const response = await fetch(`${gateway.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: readRedirect(landed.href, pending), code_verifier: pending.verifier, client_id: CLIENT.id, redirect_uri: CLIENT.redirectUri }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('sign-in in Chromium through a real OpenID provider', () => {
  it('signs alice in (login, consent), creates a room as alice; bob can neither read nor delete it', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/`);
    // Signed out: the page offers to sign in and hides the form.
    const signInButton = page.getByRole('button', { name: 'Se connecter' });
    await signInButton.waitFor();
    expect(await page.locator('#create').isHidden()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await signInButton.click();
    await page.waitForURL((u) => u.origin === op.issuer);
    await answerAtProvider(page, 'alice');

    await page.waitForURL((u) => u.href === `${gateway.url}/`);
    await page.getByText('Connecté en tant que Alice Martin (alice.martin@example.gouv.fr).').waitFor();
    // The one-time code is gone from the address bar.
    expect(page.url()).toBe(`${gateway.url}/`);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Titre de la réunion (facultatif)').fill('Réunion d’Alice');
    await page.getByRole('button', { name: 'Créer une réunion' }).click();
    await page.getByRole('heading', { name: 'Votre réunion est prête' }).waitFor();
    const code = (await page.locator('#link').textContent())!.split('/').pop()!;

    // As alice (her token from the tab), the room is hers; as bob, it does not exist.
    const tokens = JSON.parse((await page.evaluate(() => sessionStorage.getItem('visio.tokens')))!) as { accessToken: string; refreshToken: string };
    const asAlice = await fetch(`${gateway.url}/v1/rooms`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(((await asAlice.json()) as { items: { code: string; title: string }[] }).items).toEqual([expect.objectContaining({ code, title: 'Réunion d’Alice' })]);
    const bobAccess = await bobToken();
    const bob = { authorization: `Bearer ${bobAccess}` };
    expect((await fetch(`${gateway.url}/v1/rooms/${code}`, { headers: bob })).status).toBe(404);
    expect((await fetch(`${gateway.url}/v1/rooms/${code}`, { method: 'DELETE', headers: bob })).status).toBe(404);
    expect((await fetch(`${gateway.url}/v1/rooms/${code}`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status).toBe(200);

    // Signing out ends the session on the gateway too.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await signInButton.waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('visio.tokens'))).toBeNull();
    expect((await fetch(`${gateway.url}/v1/rooms`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status).toBe(401);
    await page.close();

    // The gateway process logged the whole flow without a single secret.
    const { stdout, stderr } = gateway.output();
    expect(stdout).toContain('"msg":"signed in"');
    for (const secret of [tokens.accessToken, tokens.refreshToken, bobAccess, 'browser-test-secret-0123456789', 'any-password']) {
      expect(stdout + stderr).not.toContain(secret);
    }
    expect(stdout).not.toMatch(/visio_(rt|ac|sk)_|eyJ[A-Za-z0-9_-]{10,}\./);

    // The gateway page itself made no request outside loopback.
    expect(foreign.filter((u) => !u.startsWith('https://fonts.googleapis.com/'))).toEqual([]);
  });

  it('says in French that the sign-in was refused when the agent declines consent, and stays signed out', async () => {
    // No provider session left from an earlier test: the login and consent pages show again.
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/`);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL((u) => u.origin === op.issuer);
    await answerAtProvider(page, 'alice', 'refuse');
    await page.getByText('Connexion refusée : l’accès à votre compte n’a pas été autorisé.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Se connecter' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('visio.tokens'))).toBeNull();
    // The provider's own words (access_denied, its description) are not shown.
    expect(await page.locator('body').innerText()).not.toMatch(/access_denied|End-User aborted/i);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows an accessible error page, in English when asked, for a look-alike redirect URI', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(
      `${gateway.url}/auth/login?lang=en&client_id=${CLIENT.id}&redirect_uri=${encodeURIComponent('https://test-app.example.evil.example/callback')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&state=x`,
    );
    expect(response?.status()).toBe(400);
    expect(page.url()).toContain(gateway.url);
    await page.getByRole('heading', { name: 'Application not allowed' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
