/// <reference path="./oidc-provider-types.d.ts" />
/**
 * A real OpenID provider (the certified `oidc-provider` package) on a free loopback port, for every package's
 * sign-in tests, plus a small cookie-keeping HTTP user agent that signs in through its login and consent pages.
 * By default it behaves like ProConnect: the ID token carries only `sub`; email and names come from userinfo,
 * served as a signed JWT.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email: string;
  given_name: string;
  usual_name: string;
}

/** Two agents, so tests can show that one cannot see the other's rooms. Any password is accepted. */
export const TEST_ACCOUNTS: Record<string, TestAccount> = {
  alice: { sub: 'alice', email: 'alice.martin@example.gouv.fr', given_name: 'Alice', usual_name: 'Martin' },
  bob: { sub: 'bob', email: 'bob.durand@example.gouv.fr', given_name: 'Bob', usual_name: 'Durand' },
};

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface OidcProviderOptions {
  clients: TestClient[];
  accounts?: Record<string, TestAccount>;
  /** Put email and names in the ID token too (most providers); default false (ProConnect). */
  claimsInIdToken?: boolean;
  /** Serve userinfo as a signed JWT (ProConnect); default true. */
  signedUserinfo?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<TestOidcProvider> {
  const accounts = options.accounts ?? TEST_ACCOUNTS;
  const signedUserinfo = options.signedUserinfo ?? true;
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-op-key', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      ...c,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...(signedUserinfo ? { userinfo_signed_response_alg: 'RS256' } : {}),
    })),
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account, email_verified: true }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
    },
    conformIdTokenClaims: !options.claimsInIdToken,
    features: { devInteractions: { enabled: true }, jwtUserinfo: { enabled: signedUserinfo } },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [jwk] },
  });
  // Quiet: the provider warns about development-only features on purpose here.
  provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`test OP server_error: ${error.message}\n`));
  server.on('request', provider.callback());

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A browser-like HTTP agent: keeps cookies per host, follows redirects by hand, fills the provider's pages. */
export class TestUserAgent {
  readonly jar = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    const cookies = this.jar.get(url.host);
    return cookies ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  private keep(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cookies = this.jar.get(url.host) ?? new Map<string, string>();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
      this.jar.set(url.host, cookies);
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const headers: Record<string, string> = { 'accept-language': 'fr-FR,fr;q=0.9' };
    const cookie = this.cookieHeader(u);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(u, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.keep(u, response);
    return response;
  }

  /**
   * Follows redirects from `start`, signing in as `login` on the provider's pages (and consenting), until a
   * redirect leaves for a URL for which `stop` is true. Returns that URL without requesting it.
   */
  async signIn(start: string, login: string, stop: (url: URL) => boolean, options: { consent?: boolean } = {}): Promise<URL> {
    let url = start;
    for (let step = 0; step < 20; step++) {
      const current = new URL(url);
      if (step > 0 && stop(current)) return current;
      const response = await this.request(url);
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location')!, url).href;
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) throw new Error(`sign-in stopped at ${current.origin}${current.pathname} with ${response.status}: ${html.slice(0, 300)}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`unexpected page at ${current.pathname}: ${html.slice(0, 300)}`);
      const target = new URL(action.replace(/&amp;/g, '&'), url).href;
      if (prompt === 'consent' && options.consent === false) {
        const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
        url = new URL(abort ?? `${target}/abort`, url).href;
        continue;
      }
      const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any-password' } : { prompt };
      const posted = await this.request(target, { form });
      if (posted.status < 300 || posted.status >= 400) throw new Error(`the provider refused the ${prompt} form: ${posted.status} ${(await posted.text()).slice(0, 300)}`);
      url = new URL(posted.headers.get('location')!, target).href;
    }
    throw new Error('sign-in did not finish within 20 steps');
  }
}

/** A TCP port free right now on loopback (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
