/**
 * The gateway's own tokens. Access tokens are short-lived JWTs (HS256: only the gateway verifies them, and
 * HMAC keeps verification on every request cheap); refresh tokens are opaque, stored as digests, rotated on
 * each use, and a reused one revokes its whole family. Service keys are opaque, stored as digests, scoped.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { User } from '../identity.js';
import type { SignedInUser, Store } from '../store/store.js';
import type { OidcSettings } from './config.js';
import { digest, randomToken, REFRESH_TOKEN_PREFIX, SERVICE_KEY_PREFIX } from './secrets.js';

export const ACCESS_TOKEN_AUDIENCE = 'visio-gateway';
/** The one header the gateway's access tokens carry (jose writes exactly this JSON). */
const ACCESS_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');
/** Tolerated clock difference between instances, seconds. */
const CLOCK_SKEW_S = 5;
export const SCOPES = ['rooms:read', 'rooms:write', 'audit:read'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  user: User;
  scopes: readonly string[];
  /** Session family (signed-in agents) — absent for service keys. */
  familyId?: string | undefined;
  kind: 'agent' | 'service';
  clientId: string;
}

/** A checked access token: its lifetime (seconds) and who it speaks for. */
interface VerifiedAccess {
  token: string;
  exp: number;
  nbf: number;
  principal: Principal;
}

/** Base64url of an HMAC-SHA-256, unpadded. */
const SIGNATURE_LENGTH = 43;

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** The signing secret: from VISIO_TOKEN_SECRET, else generated once into the data folder (mode 600). */
export function loadTokenSecret(secret: string | undefined, dataDir: string): Buffer {
  if (secret) return Buffer.from(secret, 'utf8');
  const file = join(dataDir, 'token-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}

// A WebCrypto key imported once: jose verifies with it about twice as fast as with a KeyObject.
const importHmacKey = (secret: Buffer) => webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

export function createTokenService(settings: OidcSettings, issuer: string, secret: Buffer, store: Store, now: () => number = Date.now) {
  const keyReady = importHmacKey(secret);
  // Logout and revocation reach access tokens through their session family; each instance re-checks a
  // family at most every 30 s (immediately on this instance).
  const families = new Map<string, { active: boolean; checkedAt: number }>();
  const FAMILY_CHECK_MS = 30_000;

  async function familyActive(familyId: string): Promise<boolean> {
    const t = now();
    const cached = families.get(familyId);
    if (cached && t - cached.checkedAt < FAMILY_CHECK_MS) return cached.active;
    const active = await store.isFamilyActive(familyId, t);
    if (families.size > 50_000) families.clear();
    families.set(familyId, { active, checkedAt: t });
    return active;
  }

  /**
   * Verifies one of our own access tokens on every request. Only the exact header the gateway writes is
   * accepted (HS256, at+jwt: no algorithm choice left to the token), the HMAC is compared in constant time,
   * then issuer, audience, expiry and not-before are checked. node:crypto's HMAC is ~10x faster than a
   * generic JOSE verification, which matters on every API call; signing stays with jose.
   */
  // A client sends the same access token on every call until it expires: each distinct token's signature
  // and claims are checked once, into a frozen principal; its lifetime and session on every call. Keyed by
  // the signature (an HMAC: unique per token, and a short key to hash), then the whole token compared.
  const verified = new Map<string, VerifiedAccess>();
  function verifyAccess(token: string): VerifiedAccess {
    const key = token.slice(-SIGNATURE_LENGTH);
    let entry = verified.get(key);
    if (entry?.token !== token) {
      entry = toVerified(token, verifySigned(token));
      if (verified.size >= 10_000) verified.clear();
      verified.set(key, entry);
    }
    const t = now() / 1000;
    if (entry.exp <= t) throw new InvalidTokenError('the access token has expired');
    if (entry.nbf > t + CLOCK_SKEW_S) throw new InvalidTokenError('the access token is not valid yet');
    return entry;
  }

  function toVerified(token: string, claims: Record<string, unknown>): VerifiedAccess {
    const { sub, email, name, cid, sid, scope } = claims;
    if (typeof sub !== 'string' || typeof email !== 'string' || typeof sid !== 'string' || typeof cid !== 'string' || typeof scope !== 'string') {
      throw new InvalidTokenError('the access token is not valid here');
    }
    const user = Object.freeze({ sub, email, ...(typeof name === 'string' ? { name } : {}) });
    const principal: Principal = Object.freeze({ user, scopes: Object.freeze(scope.split(' ')), familyId: sid, kind: 'agent' as const, clientId: cid });
    return { token, exp: claims.exp as number, nbf: claims.nbf as number, principal };
  }

  function verifySigned(token: string): Record<string, unknown> {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== ACCESS_HEADER) throw new InvalidTokenError('the access token is not valid here');
    const [header, body, signature] = parts as [string, string, string];
    const expected = createHmac('sha256', secret).update(`${header}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || given.toString('base64url') !== signature || !timingSafeEqual(given, expected)) {
      throw new InvalidTokenError('the access token is not valid here');
    }
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new InvalidTokenError('the access token is not valid here');
    }
    if (claims.iss !== issuer || claims.aud !== ACCESS_TOKEN_AUDIENCE || typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') {
      throw new InvalidTokenError('the access token is not valid here');
    }
    return claims;
  }

  async function signAccess(user: SignedInUser, clientId: string, familyId: string): Promise<string> {
    const iat = Math.floor(now() / 1000);
    return new SignJWT({ email: user.email, ...(user.name ? { name: user.name } : {}), cid: clientId, sid: familyId, scope: SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(user.sub)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + settings.accessTokenTtl)
      .setJti(randomUUID())
      .sign(await keyReady);
  }

  async function issuePair(user: SignedInUser, clientId: string, familyId: string, familyExpiresAt: number): Promise<TokenPair> {
    const refresh = `${REFRESH_TOKEN_PREFIX}${randomToken()}`;
    await store.insertRefreshToken({
      hash: digest(refresh),
      familyId,
      clientId,
      user,
      expiresAt: now() + settings.refreshTokenTtl * 1000,
      familyExpiresAt,
    });
    return {
      access_token: await signAccess(user, clientId, familyId),
      token_type: 'Bearer',
      expires_in: settings.accessTokenTtl,
      refresh_token: refresh,
      scope: SCOPES.join(' '),
    };
  }

  return {
    /** After a successful code exchange: a new session family. */
    async startSession(user: SignedInUser, clientId: string): Promise<{ familyId: string; tokens: TokenPair }> {
      const familyId = randomUUID();
      return { familyId, tokens: await issuePair(user, clientId, familyId, now() + settings.sessionMaxAge * 1000) };
    },

    /** Rotation: the old token is spent; reuse of a spent token revokes the family. */
    async refresh(refreshToken: string, clientId: string): Promise<TokenPair | { error: string }> {
      if (!refreshToken.startsWith(REFRESH_TOKEN_PREFIX)) return { error: 'not a refresh token' };
      const use = await store.useRefreshToken(digest(refreshToken), clientId, now());
      if (use.state !== 'ok') {
        if (use.state === 'reused') families.clear();
        return { error: `refresh token ${use.state}` };
      }
      const { token } = use;
      return issuePair(token.user, clientId, token.familyId, token.familyExpiresAt);
    },

    async revokeFamily(by: { hash: string } | { familyId: string }) {
      await store.revokeFamily(by, now());
      if ('familyId' in by) families.set(by.familyId, { active: false, checkedAt: now() });
      else families.clear();
    },

    /** Bearer value → principal, or InvalidTokenError (the message is safe to show: it names no value). */
    async authenticate(bearer: string): Promise<Principal> {
      if (bearer.startsWith(SERVICE_KEY_PREFIX)) {
        const key = await store.findServiceKey(digest(bearer));
        if (!key) throw new InvalidTokenError('unknown or revoked service key');
        return { user: { sub: `service:${key.name}`, email: `${key.name}@service.invalid`, name: key.name }, scopes: key.scopes, kind: 'service', clientId: `service:${key.name}` };
      }
      const { principal } = verifyAccess(bearer);
      if (!(await familyActive(principal.familyId!))) throw new InvalidTokenError('the session was signed out');
      return principal;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

/** Creates a service key; the clear value is returned once and never stored. */
export async function createServiceKey(store: Store, name: string, scopes: string[], now = Date.now()) {
  const value = `${SERVICE_KEY_PREFIX}${randomToken()}`;
  const record = { id: randomUUID(), name, hash: digest(value), scopes, createdAt: new Date(now).toISOString() };
  await store.insertServiceKey(record);
  return { value, record };
}
