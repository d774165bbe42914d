/**
 * Fixed-window rate limits counted in the Store (so several instances share them), answered with the IETF
 * RateLimit / RateLimit-Policy header fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After.
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ProblemError } from '../problem.js';
import type { Store } from '../store/store.js';

export interface LimitRule {
  /** Policy name shown in the headers, e.g. `rooms-user`. */
  policy: string;
  /** Who is counted: a user subject or an address. */
  key: string;
  /** Requests per window; 0 disables the rule. */
  limit: number;
}

/** The caller's address: the socket's, or the n-th from the right in X-Forwarded-For behind n proxies. */
export function clientAddress(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const candidate = hops[hops.length - trustProxyHops];
    if (candidate && /^[0-9a-fA-F:.]{2,45}$/.test(candidate)) return candidate;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function createRateLimiter(store: Store, windowSeconds: number, now: () => number = Date.now) {
  const windowMs = windowSeconds * 1000;
  /** Counts the request under every rule; throws a 429 problem when one is exceeded. */
  return async function enforce(c: Context, rules: LimitRule[]): Promise<void> {
    const t = now();
    let tightest: { rule: LimitRule; remaining: number; reset: number; over: boolean } | undefined;
    for (const rule of rules) {
      if (rule.limit <= 0) continue;
      const hit = await store.hitRateLimit(`${rule.policy}:${rule.key}`, windowMs, t);
      const current = { rule, remaining: Math.max(0, rule.limit - hit.count), reset: Math.max(1, Math.ceil((hit.resetAt - t) / 1000)), over: hit.count > rule.limit };
      if (!tightest || current.over || current.remaining < tightest.remaining) tightest = current;
      if (current.over) break;
    }
    if (!tightest) return;
    const headers: Record<string, string> = {
      'ratelimit-policy': `"${tightest.rule.policy}";q=${tightest.rule.limit};w=${windowSeconds}`,
      ratelimit: `"${tightest.rule.policy}";r=${tightest.remaining};t=${tightest.reset}`,
    };
    if (tightest.over) {
      throw new ProblemError(429, 'rateLimited', 'Too many requests', `Limit of ${tightest.rule.limit} per ${windowSeconds} s reached; retry in ${tightest.reset} s.`, {
        headers: { ...headers, 'retry-after': String(tightest.reset) },
      });
    }
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
