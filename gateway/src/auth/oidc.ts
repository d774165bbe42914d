/**
 * The gateway as OpenID Connect relying party (confidential client): discovery, authorization request with
 * PKCE + state + nonce, code exchange, ID token validation against the provider's JWKS, userinfo.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { SignedInUser } from '../store/store.js';
import type { OidcSettings } from './config.js';
import { pkceChallenge } from './secrets.js';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
}

export class OidcError extends Error {
  override readonly name = 'OidcError';
  /** `unavailable`: the provider could not be reached; `invalid`: its answer failed validation. */
  constructor(
    message: string,
    readonly kind: 'unavailable' | 'invalid',
  ) {
    super(message);
  }
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const TIMEOUT_MS = 10_000;

export function createRelyingParty(settings: OidcSettings, fetchImpl: typeof fetch = fetch) {
  let discovery: Promise<{ meta: Discovery; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;

  async function get(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetchImpl(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch {
      throw new OidcError(`cannot reach the identity provider (${new URL(url).origin})`, 'unavailable');
    }
  }

  function discover() {
    discovery ??= (async () => {
      const response = await get(`${settings.issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new OidcError(`the identity provider's discovery answered ${response.status}`, 'unavailable');
      const meta = (await response.json()) as Discovery;
      // OIDC Discovery §4.3: the issuer in the document must be the one configured (mix-up defence); its exact
      // spelling (a trailing slash or not) is what the tokens carry.
      if (typeof meta.issuer !== 'string' || meta.issuer.replace(/\/+$/, '') !== settings.issuer) throw new OidcError(`discovery names issuer ${meta.issuer}, not ${settings.issuer}`, 'invalid');
      for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
        if (typeof meta[k] !== 'string') throw new OidcError(`discovery lacks ${k}`, 'invalid');
      }
      return { meta, jwks: createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: TIMEOUT_MS }) };
    })();
    // A failed discovery is retried on the next sign-in rather than cached.
    discovery.catch(() => (discovery = undefined));
    return discovery;
  }

  function algorithms(meta: Discovery): string[] {
    const offered = meta.id_token_signing_alg_values_supported?.filter((a) => ASYMMETRIC.includes(a));
    return offered?.length ? offered : ['RS256'];
  }

  async function verifyJwt(jwt: string, nonce?: string): Promise<JWTPayload> {
    const { meta, jwks } = await discover();
    try {
      const alg = decodeProtectedHeader(jwt).alg;
      if (!alg || !algorithms(meta).includes(alg)) throw new OidcError(`unexpected signing algorithm ${String(alg)}`, 'invalid');
      const { payload } = await jwtVerify(jwt, jwks, { issuer: meta.issuer, audience: settings.clientId, algorithms: algorithms(meta), clockTolerance: 30 });
      if (nonce !== undefined && payload.nonce !== nonce) throw new OidcError('the ID token nonce does not match', 'invalid');
      // With several audiences, azp must name us (OIDC Core §3.1.3.7).
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== settings.clientId) throw new OidcError('the ID token azp does not name this gateway', 'invalid');
      return payload;
    } catch (error) {
      if (error instanceof OidcError) throw error;
      throw new OidcError(`the identity provider's token failed validation (${(error as Error).name})`, 'invalid');
    }
  }

  return {
    discover,

    async authorizationUrl(params: { state: string; nonce: string; verifier: string; lang?: string | undefined }): Promise<string> {
      const { meta } = await discover();
      const url = new URL(meta.authorization_endpoint);
      const q = url.searchParams;
      q.set('response_type', 'code');
      q.set('client_id', settings.clientId);
      q.set('redirect_uri', settings.callbackUrl);
      q.set('scope', settings.scopes);
      q.set('state', params.state);
      q.set('nonce', params.nonce);
      q.set('code_challenge', pkceChallenge(params.verifier));
      q.set('code_challenge_method', 'S256');
      if (settings.acrValues) q.set('acr_values', settings.acrValues);
      if (params.lang) q.set('ui_locales', params.lang);
      return url.href;
    },

    /** Code → validated identity. Throws OidcError with a message free of secrets. */
    async exchange(code: string, verifier: string, nonce: string): Promise<SignedInUser> {
      const { meta } = await discover();
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: settings.callbackUrl, code_verifier: verifier });
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      const supported = meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
      const method = settings.tokenAuthMethod ?? (supported.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post');
      if (method === 'client_secret_basic') {
        // RFC 6749 §2.3.1: form-encode each part before Basic.
        const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
        headers.authorization = `Basic ${Buffer.from(`${enc(settings.clientId)}:${enc(settings.clientSecret)}`).toString('base64')}`;
      } else {
        body.set('client_id', settings.clientId);
        body.set('client_secret', settings.clientSecret);
      }
      const response = await get(meta.token_endpoint, { method: 'POST', headers, body });
      let tokens: { id_token?: unknown; access_token?: unknown; error?: unknown };
      try {
        tokens = (await response.json()) as typeof tokens;
      } catch {
        throw new OidcError(`the token endpoint answered ${response.status} without JSON`, 'invalid');
      }
      if (!response.ok) throw new OidcError(`the token endpoint refused the code (${typeof tokens.error === 'string' ? tokens.error.slice(0, 60) : response.status})`, 'invalid');
      if (typeof tokens.id_token !== 'string') throw new OidcError('the token endpoint returned no ID token', 'invalid');
      const claims = await verifyJwt(tokens.id_token, nonce);
      if (typeof claims.sub !== 'string' || !claims.sub) throw new OidcError('the ID token has no subject', 'invalid');
      let profile: Record<string, unknown> = claims;
      // ProConnect, among others, puts email and names in userinfo only (as a signed JWT).
      if (typeof claims.email !== 'string' && meta.userinfo_endpoint && typeof tokens.access_token === 'string') {
        profile = await userinfo(meta.userinfo_endpoint, tokens.access_token);
        if (profile.sub !== claims.sub) throw new OidcError('userinfo describes another subject than the ID token', 'invalid');
      }
      const email = profile.email;
      if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) throw new OidcError('the identity provider shared no email address', 'invalid');
      return { sub: claims.sub, email, ...displayName(profile) };
    },
  };

  async function userinfo(endpoint: string, accessToken: string): Promise<Record<string, unknown>> {
    const response = await get(endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json, application/jwt' } });
    if (!response.ok) throw new OidcError(`userinfo answered ${response.status}`, 'invalid');
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('application/jwt')) return verifyJwt((await response.text()).trim());
    try {
      return (await response.json()) as Record<string, unknown>;
    } catch {
      throw new OidcError('userinfo sent an unreadable answer', 'invalid');
    }
  }
}

export type RelyingParty = ReturnType<typeof createRelyingParty>;

/** `given_name usual_name` (ProConnect), else `name`, else `given_name family_name`. */
export function displayName(profile: Record<string, unknown>): { name?: string } {
  const s = (k: string) => (typeof profile[k] === 'string' ? (profile[k] as string).trim() : '');
  const name = (s('given_name') && s('usual_name') ? `${s('given_name')} ${s('usual_name')}` : s('name') || [s('given_name'), s('family_name')].filter(Boolean).join(' ')).slice(0, 200);
  return name ? { name } : {};
}
