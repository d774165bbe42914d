/** Random values and their digests: tokens, codes and keys are stored only as SHA-256 digests. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const REFRESH_TOKEN_PREFIX = 'visio_rt_';
export const SERVICE_KEY_PREFIX = 'visio_sk_';
export const AUTH_CODE_PREFIX = 'visio_ac_';

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
