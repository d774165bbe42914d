/** Sign-in configuration: identity provider, registered clients, token lifetimes, rate limits. */
import { CLIENT_ID_PATTERN } from '@visio/shared/wire';
import { z } from 'zod';
import { isLoopbackUrl } from './redirect.js';

const seconds = (def: number, min = 1, max = 400 * 86_400) => z.coerce.number().int().min(min).max(max).default(def);
const limit = (def: number) => z.coerce.number().int().min(0).max(1_000_000).default(def);

/** `client_id` → exact redirect URIs. The gateway's own page (`web`) is registered by the gateway itself. */
const ClientsSchema = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return {};
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"outlook":["https://gateway.example.gouv.fr/addins/outlook/callback.html"]}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .record(
        z.string(),
        z.array(z.string().refine(isRegistrableRedirect, 'each redirect URI must be an absolute https URL in canonical form, without fragment (http only on loopback)')).min(1).max(20),
      )
      .superRefine((clients, ctx) => {
        for (const id of Object.keys(clients)) {
          if (!CLIENT_ID_PATTERN.test(id)) ctx.addIssue({ code: 'custom', path: [id], message: 'client ids are 1-32 lower-case letters, digits or dashes' });
          if (id === 'web') ctx.addIssue({ code: 'custom', path: [id], message: 'the client id "web" is reserved for the gateway page' });
        }
      }),
  );

export const AuthEnvSchema = z.object({
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/ })
    .refine(isSecureOrLoopback, 'must be https (http only on loopback, for tests)')
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  OIDC_SCOPES: z
    .string()
    .regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'space-separated scopes')
    .default('openid email profile'),
  OIDC_ACR_VALUES: z.string().max(500).optional(),
  OIDC_TOKEN_AUTH_METHOD: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
  VISIO_CLIENTS: ClientsSchema,
  VISIO_TOKEN_SECRET: z.string().min(32, 'at least 32 characters of randomness').optional(),
  ACCESS_TOKEN_TTL: seconds(600, 30, 3600),
  REFRESH_TOKEN_TTL: seconds(30 * 86_400, 60),
  SESSION_MAX_AGE: seconds(90 * 86_400, 60),
  AUTH_CODE_TTL: seconds(60, 5, 600),
  JOIN_SESSION_TTL: seconds(8 * 3600, 60, 7 * 86_400),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  RATE_LIMIT_WINDOW: seconds(60, 1, 86_400),
  RATE_LIMIT_ROOMS_PER_USER: limit(60),
  RATE_LIMIT_ROOMS_PER_ADDRESS: limit(300),
  RATE_LIMIT_SIGNIN_PER_USER: limit(30),
  RATE_LIMIT_SIGNIN_PER_ADDRESS: limit(600),
});

export interface RateLimitSettings {
  windowSeconds: number;
  roomsPerUser: number;
  roomsPerAddress: number;
  signInPerUser: number;
  signInPerAddress: number;
}

export interface OidcSettings {
  mode: 'oidc';
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  acrValues?: string | undefined;
  tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post' | undefined;
  /** The gateway's own redirect URI at the identity provider. */
  callbackUrl: string;
  /** Registered clients: id → exact redirect URIs (the gateway page `web` included). */
  clients: Map<string, readonly string[]>;
  tokenSecret?: string | undefined;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionMaxAge: number;
  codeTtl: number;
  /** Lifetime of the browser session a join link opens (cookie on /j/* only), seconds. */
  joinSessionTtl: number;
  rateLimits: RateLimitSettings;
  trustProxyHops: number;
}

export type AuthSettings = { mode: 'local'; user: { email: string; name: string }; trustProxyHops: number } | OidcSettings;

export type AuthEnv = z.output<typeof AuthEnvSchema> & { VISIO_LOCAL_USER_EMAIL: string; VISIO_LOCAL_USER_NAME: string };

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

export function authSettings(env: AuthEnv, publicUrl: string): AuthSettings {
  if (!env.OIDC_ISSUER) {
    return { mode: 'local', user: { email: env.VISIO_LOCAL_USER_EMAIL, name: env.VISIO_LOCAL_USER_NAME }, trustProxyHops: env.TRUST_PROXY_HOPS };
  }
  const missing = (['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((k) => !env[k]);
  if (missing.length) throw new AuthConfigError(`OIDC_ISSUER is set, so ${missing.join(' and ')} must be set too (the gateway is a confidential client).`);
  if (!env.OIDC_SCOPES.split(' ').includes('openid')) throw new AuthConfigError('OIDC_SCOPES must include openid.');
  const clients = new Map<string, readonly string[]>(Object.entries(env.VISIO_CLIENTS));
  clients.set('web', [`${publicUrl}/`]);
  return {
    mode: 'oidc',
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID!,
    clientSecret: env.OIDC_CLIENT_SECRET!,
    scopes: env.OIDC_SCOPES,
    acrValues: env.OIDC_ACR_VALUES,
    tokenAuthMethod: env.OIDC_TOKEN_AUTH_METHOD,
    callbackUrl: `${publicUrl}/auth/callback`,
    clients,
    tokenSecret: env.VISIO_TOKEN_SECRET,
    accessTokenTtl: env.ACCESS_TOKEN_TTL,
    refreshTokenTtl: env.REFRESH_TOKEN_TTL,
    sessionMaxAge: env.SESSION_MAX_AGE,
    codeTtl: env.AUTH_CODE_TTL,
    joinSessionTtl: env.JOIN_SESSION_TTL,
    rateLimits: {
      windowSeconds: env.RATE_LIMIT_WINDOW,
      roomsPerUser: env.RATE_LIMIT_ROOMS_PER_USER,
      roomsPerAddress: env.RATE_LIMIT_ROOMS_PER_ADDRESS,
      signInPerUser: env.RATE_LIMIT_SIGNIN_PER_USER,
      signInPerAddress: env.RATE_LIMIT_SIGNIN_PER_ADDRESS,
    },
    trustProxyHops: env.TRUST_PROXY_HOPS,
  };
}

function isSecureOrLoopback(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || isLoopbackUrl(u);
  } catch {
    return false;
  }
}

function isRegistrableRedirect(value: string): boolean {
  try {
    const u = new URL(value);
    if (u.href !== value || u.hash || value.includes('#') || u.username || u.password) return false;
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackUrl(u));
  } catch {
    return false;
  }
}
