/**
 * Sign-in end to end in Chromium, with nothing doubled but Outlook: the gateway process in OIDC mode with the
 * add-in registered as client `outlook` (its callback page as redirect URI), a real OpenID provider (login and
 * consent pages), the Office double's dialog and messageParent, the code exchanged at the real /auth/token,
 * then a room created as the signed-in agent. Also what the agent reads when the sign-in ends without
 * tokens: dialog closed, consent refused, dialog not opened (Office's error codes).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findVisioLinks } from '@visio/shared/links';
import { axeViolations } from '@visio/testing/axe';
import type { Page } from 'playwright-core';
import type { TestOidcProvider } from '@visio/testing/oidc-provider';
import { answerAtProvider, keepOnLoopback, startSignedInGateway, type SignedInGateway } from '@visio/testing/signed-in-gateway';
import { startHarness, state, type Harness } from './browser-harness.ts';
import { INSTANCE, LOCATION_PLACES, OWA_HTML } from './fixtures.ts';

let signedIn: SignedInGateway<Harness>;
let op: TestOidcProvider;
let h: Harness;
let callback: string;
const foreign: string[] = [];

beforeAll(async () => {
  signedIn = await startSignedInGateway({
    clients: (gateway) => ({ outlook: [(callback = `${gateway}/outlook/auth-callback.html`)] }),
    env: { LOG_LEVEL: 'info' },
    start: startHarness,
    stop: (harness) => harness.close(),
  });
  ({ op, gateway: h } = signedIn);
  // Nothing leaves loopback (the provider's development pages link a web font: refused).
  await keepOnLoopback(h.context, foreign);
}, 60_000);

afterAll(async () => {
  await signedIn?.close();
});

const appointment = { itemType: 'appointment', mode: 'compose', bodyType: 'html', body: OWA_HTML, location: LOCATION_PLACES, subject: 'Comité' } as const;

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

// Each test starts without a session at the provider (cookies are per host: the gateway's go too).
beforeEach(() => h.context.clearCookies());

const CANCELLED = 'Connexion annulée.';
const DENIED = 'Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.';

async function tokens(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('visio.tokens'));
}

async function openDialog(page: Page): Promise<Page> {
  const [dialog] = await Promise.all([h.context.waitForEvent('page'), page.getByRole('button', { name: 'Se connecter à Visio' }).click()]);
  await dialog.waitForURL((u) => u.origin === op.issuer, { waitUntil: 'commit' });
  return dialog;
}

describe('Outlook sign-in that does not end with tokens', () => {
  it('the agent closes the dialog (12006): “Connexion annulée.” as a notice, no alert, nothing stored; signing in again opens a new dialog', async () => {
    const page = await h.open('/outlook/taskpane.html', appointment);
    await page.getByText('Vous n’êtes pas connecté à Visio.').waitFor();
    const dialog = await openDialog(page);
    await dialog.locator('input[name="login"]').waitFor();
    await dialog.close();
    await page.getByRole('status').getByText(CANCELLED, { exact: true }).waitFor();
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(await tokens(page)).toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    // The closed dialog no longer counts as open: a second attempt gets a dialog, not Office's 12007.
    const again = await openDialog(page);
    await again.close();
    await page.getByRole('status').getByText(CANCELLED, { exact: true }).waitFor();
    expect((await state(page)).dialogs.map((d) => d.closed)).toEqual([true, true]);
    await page.close();
  });

  it('the agent refuses consent at the provider: the French sentence in an alert, never the provider’s text, nothing stored', async () => {
    const page = await h.open('/outlook/taskpane.html', appointment);
    const dialog = await openDialog(page);
    await answerAtProvider(dialog, 'alice', 'refuse');

    const alert = page.getByRole('alert');
    await alert.getByText(DENIED, { exact: true }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe('');
    expect(await page.locator('body').innerText()).not.toMatch(/aborted|access_denied/i);
    expect(await tokens(page)).toBeNull();
    expect((await state(page)).dialogs[0]!.closed).toBe(true);
    await page.getByRole('button', { name: 'Se connecter à Visio' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('Office does not open the dialog: declined prompt (12009) reads as cancelled, blocked pop-ups (12011) as a window that could not open', async () => {
    const declined = await h.open('/outlook/taskpane.html', {
      ...appointment,
      failures: { 'ui.displayDialogAsync': { code: 12009, name: 'Display Dialog Error', message: 'The user chose to ignore the dialog box.', once: true } },
    });
    await declined.getByRole('button', { name: 'Se connecter à Visio' }).click();
    await declined.getByRole('status').getByText(CANCELLED, { exact: true }).waitFor();
    expect(await declined.locator('#error').isHidden()).toBe(true);
    await declined.close();

    const blocked = await h.open('/outlook/taskpane.html', {
      ...appointment,
      displayLanguage: 'en-GB',
      failures: { 'ui.displayDialogAsync': { code: 12011, name: 'Display Dialog Error', message: 'Pop-ups are blocked.' } },
    });
    await blocked.getByRole('button', { name: 'Sign in to Visio' }).click();
    await blocked.getByRole('alert').getByText('The sign-in window could not open. Close any sign-in window already open, allow pop-ups, then try again.', { exact: true }).waitFor();
    expect(await blocked.locator('body').innerText()).not.toContain('Pop-ups are blocked.');
    expect(await axeViolations(blocked)).toEqual([]);
    await blocked.close();
  });
});

describe('Outlook sign-in against the gateway in OIDC mode', () => {
  it('a callback answer with a forged state is refused and nothing is stored (before anyone signed in at the provider)', async () => {
    const page = await h.open('/outlook/taskpane.html', appointment);
    const [dialog] = await Promise.all([h.context.waitForEvent('page'), page.getByRole('button', { name: 'Se connecter à Visio' }).click()]);
    await dialog.waitForURL((u) => u.origin === op.issuer, { waitUntil: 'commit' });
    // A page in the dialog sends it on to the callback with a forged answer (a link or redirect: the dialog
    // keeps its opener; a typed address would start a new browsing context group in Chromium).
    await dialog.evaluate((url) => void (location.href = url), `${callback}?code=stolen&state=forged`);
    await page.getByRole('alert').getByText('La réponse de connexion ne correspond pas à votre demande. Recommencez la connexion.', { exact: true }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('visio.tokens'))).toBeNull();
    await page.close();
  });

  it('dialog → provider login and consent → callback page → messageParent → real code exchange → room created as alice', async () => {
    const page = await h.open('/outlook/taskpane.html', appointment);
    await page.getByText('Vous n’êtes pas connecté à Visio.').waitFor();
    // Signed out, the gateway refuses the API.
    expect((await fetch(`${h.gateway.url}/v1/rooms`)).status).toBe(401);
    const button = page.getByRole('button', { name: 'Se connecter à Visio' });
    await button.waitFor();
    const [dialog] = await Promise.all([h.context.waitForEvent('page'), button.click()]);

    await dialog.waitForURL((u) => u.origin === op.issuer, { waitUntil: 'commit' });
    await answerAtProvider(dialog, 'alice');

    await page.getByText('Vous êtes connecté à Visio.').first().waitFor();
    const double = await state(page);
    expect(double.dialogs).toHaveLength(1);
    expect(double.dialogs[0]!.closed).toBe(true);
    const login = new URL(double.dialogs[0]!.url);
    expect(`${login.origin}${login.pathname}`).toBe(`${h.gateway.url}/auth/login`);
    expect(login.searchParams.get('client_id')).toBe('outlook');
    expect(login.searchParams.get('redirect_uri')).toBe(callback);
    expect(login.searchParams.get('code_challenge_method')).toBe('S256');

    const tokens = JSON.parse((await page.evaluate(() => localStorage.getItem('visio.tokens')))!) as Tokens;
    expect(tokens.accessToken.length).toBeGreaterThan(20);
    expect(tokens.refreshToken.length).toBeGreaterThan(20);
    const me = await fetch(`${h.gateway.url}/v1/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'alice.martin@example.gouv.fr' });

    // The add-in's command now creates the room as alice, with the stored token.
    await page.getByRole('button', { name: 'Ajouter une réunion Visio' }).click();
    await page.getByText('Cet élément contient une réunion Visio :').waitFor();
    const link = findVisioLinks((await state(page)).body, INSTANCE)[0]!;
    const rooms = (await (await fetch(`${h.gateway.url}/v1/rooms`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).json()) as { items: { code: string }[] };
    expect(rooms.items.map((r) => r.code)).toContain(link.code);

    // Sign-out forgets the tokens and ends the session at the gateway: the refresh token is spent.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('button', { name: 'Se connecter à Visio' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('visio.tokens'))).toBeNull();
    const refreshed = await fetch(`${h.gateway.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: 'outlook' }),
    });
    expect(refreshed.status).toBe(400);
    await page.close();
  });

  it('asks only loopback (gateway and provider) and logs no token', () => {
    // Every outside address asked for was refused (a dialog closed while loading may ask without being routed).
    expect(foreign.length).toBeGreaterThan(0);
    expect(new Set(h.requests.filter((u) => !u.startsWith('http://127.0.0.1:')))).toEqual(new Set(foreign));
    const { stdout, stderr } = h.gateway.output();
    expect(`${stdout}${stderr}`).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});
