/** A gateway in OIDC mode in front of a real OpenID provider on loopback, and agents signing in through it. */
import { afterAll } from 'vitest';
import { freePort, startOidcProvider, TestUserAgent, type OidcProviderOptions, type TestOidcProvider } from '@visio/testing/oidc-provider';
import { beginSignIn, readRedirect, type PendingSignIn } from '@visio/shared/sign-in';
import { startTestGateway, type TestGateway } from './harness.ts';

/** A registered client whose redirect URI nobody serves: the agent stops there and reads the code. */
export const TEST_CLIENT = { id: 'test-app', redirectUri: 'https://test-app.example/callback' };
export const OTHER_CLIENT = { id: 'other-app', redirectUri: 'https://other-app.example/done?from=visio' };
export const GATEWAY_CLIENT_SECRET = 'op-secret-for-the-gateway-0123456789';

export interface SignInGateway extends TestGateway {
  op: TestOidcProvider;
  /** Full sign-in as `login` (alice, bob): returns the token response. */
  signIn(login: string, client?: { id: string; redirectUri: string }): Promise<Tokens>;
  /** Sign-in up to the client's redirect: the one-time code and the PKCE values. */
  codeFor(login: string, client?: { id: string; redirectUri: string }, agent?: TestUserAgent): Promise<{ code: string; pending: PendingSignIn }>;
  token(body: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  as(token: string): (path: string, init?: Omit<RequestInit, 'body'> & { body?: unknown }) => Promise<{ status: number; body: any; headers: Headers }>;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

const ops: TestOidcProvider[] = [];
afterAll(async () => {
  await Promise.all(ops.splice(0).map((op) => op.close()));
});

export async function startSignInGateway(env: Record<string, string> = {}, opOptions: Partial<OidcProviderOptions> = {}): Promise<SignInGateway> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const op = await startOidcProvider({
    clients: [{ client_id: 'visio-gateway', client_secret: GATEWAY_CLIENT_SECRET, redirect_uris: [`${publicUrl}/auth/callback`] }],
    ...opOptions,
  });
  ops.push(op);
  const gw = await startTestGateway({
    PORT: String(port),
    OIDC_ISSUER: op.issuer,
    OIDC_CLIENT_ID: 'visio-gateway',
    OIDC_CLIENT_SECRET: GATEWAY_CLIENT_SECRET,
    OIDC_SCOPES: 'openid email given_name usual_name',
    // Tests sign in far more often than agents; the rate-limit tests set their own limits.
    RATE_LIMIT_SIGNIN_PER_ADDRESS: '0',
    RATE_LIMIT_SIGNIN_PER_USER: '0',
    VISIO_CLIENTS: JSON.stringify({ [TEST_CLIENT.id]: [TEST_CLIENT.redirectUri], [OTHER_CLIENT.id]: [OTHER_CLIENT.redirectUri] }),
    ...env,
  });
  const endpoints = { loginUrl: `${gw.url}/auth/login`, tokenUrl: `${gw.url}/auth/token` };

  async function codeFor(login: string, client = TEST_CLIENT, agent = new TestUserAgent()) {
    const pending = await beginSignIn({ endpoints, clientId: client.id, redirectUri: client.redirectUri });
    const landed = await agent.signIn(pending.url, login, (u) => u.href.startsWith(client.redirectUri.split('?')[0]!));
    return { code: readRedirect(landed.href, pending), pending };
  }

  const token = (body: Record<string, string>) =>
    gw.json('/auth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

  return {
    ...gw,
    op,
    codeFor,
    token,
    async signIn(login, client = TEST_CLIENT) {
      const { code, pending } = await codeFor(login, client);
      const answer = await token({ grant_type: 'authorization_code', code, code_verifier: pending.verifier, client_id: client.id, redirect_uri: client.redirectUri });
      if (answer.status !== 200) throw new Error(`token exchange failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body as Tokens;
    },
    as(accessToken) {
      return (path, init = {}) => gw.json(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${accessToken}` } });
    },
  };
}

/** Log lines that contain one of `secrets`, or anything shaped like a token, code, key or password. */
export function leaks(lines: string[], secrets: Iterable<string> = []): string[] {
  const found: string[] = [];
  const known = [...secrets].filter(Boolean);
  for (const line of lines) {
    for (const secret of known) if (line.includes(secret)) found.push(`${secret.slice(0, 12)}… in ${line.slice(0, 200)}`);
    if (/visio_(rt|ac|sk)_[A-Za-z0-9_-]{8}|eyJ[A-Za-z0-9_-]{10,}\.|password|client_secret|code_verifier=/.test(line)) found.push(`secret-shaped value in ${line.slice(0, 200)}`);
  }
  return found;
}
