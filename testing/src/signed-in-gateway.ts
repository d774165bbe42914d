/**
 * A gateway in OpenID Connect mode in front of a real OpenID provider on loopback (oidc-provider), as every
 * package's sign-in tests need it: the provider knows the gateway as client `visio-gateway` with its
 * callback on the gateway's port, and the gateway registers the clients under test (VISIO_CLIENTS).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.ts';
import { freePort, startOidcProvider, type OidcProviderOptions, type TestOidcProvider } from './oidc-provider.ts';

export const GATEWAY_CLIENT_ID = 'visio-gateway';

export interface SignInProvider {
  op: TestOidcProvider;
  /** The port the gateway must listen on (its callback is registered at the provider). */
  port: number;
  /** `http://127.0.0.1:{port}` */
  gatewayUrl: string;
  /** The gateway's variables for this provider, with these clients registered (client id → redirect URIs). */
  gatewayEnv(clients: Record<string, string[]>, extra?: Record<string, string>): Record<string, string>;
}

/** The provider alone: for rigs that start the gateway themselves (the extension's, once its id is known). */
export async function startSignInProvider(options: Partial<OidcProviderOptions> = {}): Promise<SignInProvider> {
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const secret = `op-secret-${port}-0123456789abcdef`;
  const op = await startOidcProvider({ clients: [{ client_id: GATEWAY_CLIENT_ID, client_secret: secret, redirect_uris: [`${gatewayUrl}/auth/callback`] }], ...options });
  return {
    op,
    port,
    gatewayUrl,
    gatewayEnv: (clients, extra = {}) => ({
      PORT: String(port),
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: GATEWAY_CLIENT_ID,
      OIDC_CLIENT_SECRET: secret,
      OIDC_SCOPES: 'openid email given_name usual_name',
      VISIO_CLIENTS: JSON.stringify(clients),
      ...extra,
    }),
  };
}

export interface SignedInGateway<G> extends SignInProvider {
  gateway: G;
  /** Stops the gateway (through `stop`) and the provider. */
  close(): Promise<void>;
}

/**
 * The provider and a gateway registered with it. `clients` may depend on the gateway's address (Outlook's
 * callback page is served by the gateway). `start` launches the gateway: the built process by default, or
 * a package's own harness (given the variables).
 */
export async function startSignedInGateway<G = GatewayProcess>(options: {
  clients: Record<string, string[]> | ((gatewayUrl: string) => Record<string, string[]>);
  env?: Record<string, string>;
  start?: (env: Record<string, string>) => Promise<G>;
  stop?: (gateway: G) => Promise<unknown>;
}): Promise<SignedInGateway<G>> {
  const provider = await startSignInProvider();
  const clients = typeof options.clients === 'function' ? options.clients(provider.gatewayUrl) : options.clients;
  const start = options.start ?? ((env: Record<string, string>) => startGatewayProcess(env) as Promise<G>);
  const stop = options.stop ?? ((gateway: G) => (gateway as GatewayProcess).stop());
  let gateway: G;
  try {
    gateway = await start(provider.gatewayEnv(clients, options.env));
  } catch (error) {
    await provider.op.close();
    throw error;
  }
  return {
    ...provider,
    gateway,
    async close() {
      await stop(gateway);
      await provider.op.close();
    },
  };
}

/**
 * Nothing leaves loopback: every request of the browser context to another host is refused and noted in
 * `foreign` (the provider's development pages link a web font), so a test can show none was needed.
 */
export async function keepOnLoopback(context: BrowserContext, foreign: string[]): Promise<void> {
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
}

/**
 * On the provider's development pages (oidc-provider's devInteractions): signs in as `login` (any password
 * is taken), then answers the consent page: accept, or refuse with its own "[ Cancel ]" link.
 */
export async function answerAtProvider(page: Page, login: string, consent: 'accept' | 'refuse' = 'accept'): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
  await page.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' });
  if (consent === 'accept') await page.locator('button[type="submit"]').click();
  else await page.getByRole('link', { name: '[ Cancel ]' }).click();
}
