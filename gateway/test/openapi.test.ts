/**
 * /openapi.json is the whole contract: every route the app mounts is in it, in local mode and with sign-in
 * (where /auth/* is mounted), with the LiveKit provider (join links, webhooks). Built in-process with
 * app.request(): Hono's own route table is compared with the document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadSettings } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const LIVEKIT = {
  VISIO_PROVIDER: 'livekit',
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'devkey',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters!!',
  LIVEKIT_MEET_URL: 'https://meet.example.gouv.fr',
};
const OIDC = { OIDC_ISSUER: 'https://op.example.gouv.fr', OIDC_CLIENT_ID: 'visio-gateway', OIDC_CLIENT_SECRET: 'op-secret-0123456789', VISIO_PUBLIC_URL: 'https://visio-gateway.example.gouv.fr' };

async function appWith(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'visio-openapi-'));
  dirs.push(dataDir);
  const settings = loadSettings({ VISIO_DATA_DIR: dataDir, ...env });
  const store = await openSqliteStore(dataDir);
  const log = createLogger('silent');
  return { app: createApp({ settings, store, provider: settings.createProvider({ store, log }), log }), close: () => store.close() };
}

// `/j/:code`, `/outlook/*` and `/j/{code}`, `/outlook/{file}` are the same route.
const shape = (path: string) => path.replace(/\{[^}]+\}|:[A-Za-z_]+|\*/g, '{}');

describe('/openapi.json', () => {
  it.each([
    ['local mode, standalone rooms', {}],
    ['sign-in (OIDC), LiveKit rooms', { ...OIDC, ...LIVEKIT }],
  ])('lists every mounted route (%s)', async (_name, env) => {
    const { app, close } = await appWith(env);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${shape(path)}`)));
    const mounted = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL') // middleware
        .filter((route) => route.path !== '/openapi.json') // the document itself
        .map((route) => `${route.method} ${shape(route.path)}`),
    );
    expect([...mounted].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !mounted.has(route))).toEqual([]);
    if ('OIDC_ISSUER' in env) expect(mounted).toContain('GET /auth/callback');
    if ('LIVEKIT_URL' in env) expect(mounted).toContain('POST /webhooks/livekit');
    await close();
  });
});
