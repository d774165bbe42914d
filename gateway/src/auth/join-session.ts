/**
 * The browser session behind join links (OIDC mode). An invitation link `/j/{code}` is opened by a browser or
 * a mail client, which cannot send a bearer token: after signing in at the identity provider, the browser
 * holds this cookie, which only `/j/*` accepts (the API stays bearer-only, so no CSRF surface there).
 *
 * The value is an HS256 JWT under a key derived from the token secret: every instance sharing
 * VISIO_TOKEN_SECRET verifies it, and neither kind of token passes for the other (own key, own `typ`, own
 * audience). It names a sign-in family in the store, so a sign-out ends it on every instance at once.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { jwtVerify, SignJWT } from 'jose';
import type { User } from '../identity.js';
import type { SignedInUser, Store } from '../store/store.js';

const TYP = 'visio-join+jwt';
const AUDIENCE = 'visio-join';
/** The client id of join sessions in the store's sign-in families. */
export const JOIN_CLIENT_ID = 'join';
const MAX_COOKIE_CHARS = 4096;

export interface JoinSessionOptions {
  ttlSeconds: number;
  /** The gateway's public URL: the session's issuer, and https decides the cookie's `__Host-` prefix. */
  publicUrl: string;
  secret: Buffer;
  store: Store;
  now?: () => number;
}

export function createJoinSessions({ ttlSeconds, publicUrl, secret, store, now = Date.now }: JoinSessionOptions) {
  const key = createHmac('sha256', secret).update('visio join session v1').digest();
  const secure = publicUrl.startsWith('https:');
  // __Host-: the browser keeps it for this exact origin only (Secure, Path=/, no Domain).
  const cookieName = secure ? '__Host-visio_join' : 'visio_join';

  /** The session's claims when the value is ours, intact and unexpired; null otherwise (never throws). */
  async function verify(value: string | undefined): Promise<{ user: User; sid: string } | null> {
    if (!value || value.length > MAX_COOKIE_CHARS) return null;
    try {
      const { payload } = await jwtVerify(value, key, {
        algorithms: ['HS256'],
        typ: TYP,
        issuer: publicUrl,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(now()),
        clockTolerance: 5,
      });
      const { sub, email, name, sid } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof email !== 'string' || typeof sid !== 'string') return null;
      return { user: { sub, email, ...(typeof name === 'string' ? { name } : {}) }, sid };
    } catch {
      return null;
    }
  }

  return {
    cookieName,

    /** After a join link's sign-in: a new family in the store and its cookie on the response. */
    async start(c: Context, user: SignedInUser): Promise<void> {
      const sid = randomUUID();
      const iat = Math.floor(now() / 1000);
      await store.insertFamily({ id: sid, clientId: JOIN_CLIENT_ID, sub: user.sub, expiresAt: (iat + ttlSeconds) * 1000 });
      const value = await new SignJWT({ email: user.email, ...(user.name ? { name: user.name } : {}), sid })
        .setProtectedHeader({ alg: 'HS256', typ: TYP })
        .setIssuer(publicUrl)
        .setAudience(AUDIENCE)
        .setSubject(user.sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
      setCookie(c, cookieName, value, { path: '/', httpOnly: true, secure, sameSite: 'Lax', maxAge: ttlSeconds });
    },

    /** The agent of this request's join session, or null (absent, altered, expired or signed out). */
    async current(c: Context): Promise<User | null> {
      const session = await verify(getCookie(c, cookieName));
      if (!session) return null;
      return (await store.isFamilyActive(session.sid, now())) ? session.user : null;
    },

    /** Sign-out: the session's family is revoked (every instance refuses it) and the cookie removed. */
    async end(c: Context): Promise<boolean> {
      const value = getCookie(c, cookieName);
      if (value === undefined) return false;
      const session = await verify(value);
      if (session) await store.revokeFamily({ familyId: session.sid }, now());
      deleteCookie(c, cookieName, { path: '/', secure });
      return session !== null;
    },
  };
}

export type JoinSessions = ReturnType<typeof createJoinSessions>;
