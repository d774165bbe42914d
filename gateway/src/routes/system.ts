import { createRoute } from '@hono/zod-openapi';
import { ConfigSchema, HealthSchema, type GatewayConfig } from '@visio/shared/contract';
import { ACCESS_LEVELS, LANGS } from '@visio/shared';
import type { GatewaySettings } from '../config.js';
import { newRouter } from '../openapi.js';
import type { RoomProvider } from '../providers/provider.js';
import type { Logger } from '../logger.js';
import type { RoomService } from '../rooms.js';

export const VERSION = '0.1.0';

export function publicConfig(settings: GatewaySettings, provider: RoomProvider): GatewayConfig {
  return {
    instanceName: settings.instanceName,
    instanceUrl: settings.instanceUrl,
    provider: provider.name,
    telephony: { ...provider.telephony },
    languages: [...LANGS],
    defaultLanguage: 'fr',
    accessLevels: [...ACCESS_LEVELS],
    defaultAccessLevel: settings.defaultAccessLevel,
    auth:
      settings.auth.mode === 'oidc'
        ? { mode: 'oidc', loginUrl: `${settings.publicUrl}/auth/login`, tokenUrl: `${settings.publicUrl}/auth/token`, logoutUrl: `${settings.publicUrl}/auth/logout` }
        : { mode: 'local' },
    version: VERSION,
  };
}

export function systemRoutes(settings: GatewaySettings, rooms: Pick<RoomService, 'checks'>, provider: RoomProvider, log: Logger) {
  const app = newRouter();
  const health = (description: string) => ({ description, content: { 'application/json': { schema: HealthSchema } } });

  app.openapi(createRoute({ method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: health('The process runs') } }), (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the store and the room provider answer',
      responses: { 200: health('Ready'), 503: health('Not ready; checks say which part failed') },
    }),
    async (c) => {
      const checks: Record<string, string> = {};
      const probe = async (name: string, fn: () => Promise<void>) => {
        try {
          await fn();
          checks[name] = 'ok';
        } catch (error) {
          log.warn('readiness check failed', { check: name, error });
          checks[name] = 'unavailable';
        }
      };
      await Promise.all(Object.entries(rooms.checks).map(([name, check]) => probe(name, check)));
      const ok = Object.values(checks).every((v) => v === 'ok');
      return ok ? c.json({ status: 'ok' as const, checks }, 200) : c.json({ status: 'unavailable' as const, checks }, 503);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/config',
      summary: 'What clients need to know about this gateway (no sign-in needed)',
      responses: { 200: { description: 'Configuration', content: { 'application/json': { schema: ConfigSchema } } } },
    }),
    // Built per request: a provider learns its dial-in number from the rooms it creates.
    (c) => c.json(publicConfig(settings, provider), 200),
  );
  return app;
}
