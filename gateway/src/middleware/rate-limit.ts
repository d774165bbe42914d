/** Room creation limited per agent and per address, attached to the routes that create rooms. */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { OidcSettings } from '../auth/config.js';
import { clientAddress, type LimitRule, type RateLimiter } from '../auth/rate-limit.js';

/** Undefined when both limits are off (0): then the routes carry no limiter at all. */
export function roomCreationLimit(limiter: RateLimiter, settings: Pick<OidcSettings, 'rateLimits' | 'trustProxyHops'>): MiddlewareHandler<AppEnv> | undefined {
  const { roomsPerUser, roomsPerAddress } = settings.rateLimits;
  if (roomsPerUser <= 0 && roomsPerAddress <= 0) return undefined;
  return async (c, next) => {
    const rules: LimitRule[] = [];
    if (roomsPerUser > 0) rules.push({ policy: 'rooms-user', key: c.get('user').sub, limit: roomsPerUser });
    if (roomsPerAddress > 0) rules.push({ policy: 'rooms-address', key: clientAddress(c, settings.trustProxyHops), limit: roomsPerAddress });
    await limiter(c, rules);
    await next();
  };
}
