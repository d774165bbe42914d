/**
 * Chromium with the built extension (a copy of dist/chromium with a fresh "key", so every run has its own
 * extension id) next to a real gateway process whose CORS allowlist names that extension origin. Every
 * request the browser makes is recorded; those outside the allowed origins are refused and reported.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { launchChromiumWithPolicies } from '@visio/testing/chromium-policies';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';

export const PACKAGE_DIR = join(import.meta.dirname, '..');
export const DIST = join(PACKAGE_DIR, 'dist');
export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const INSTANCE = 'https://visio.numerique.gouv.fr';

export function builtDir(target: 'chromium' | 'firefox'): string {
  const dir = join(DIST, target);
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} is missing: run npm run build in extension/browser (npm test builds every package)`);
  return dir;
}

/** A copy of the Chromium build with a "key" (fixed id for this run) and extra manifest fields. */
export function extensionCopy(extra: Record<string, unknown> = {}): { dir: string; id: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'visio-ext-'));
  cpSync(builtDir('chromium'), dir, { recursive: true });
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // Chromium's id: first 128 bits of SHA-256 of the key, hex digits 0-f written as a-p.
  const id = [...createHash('sha256').update(der).digest('hex').slice(0, 32)].map((h) => String.fromCharCode(97 + Number.parseInt(h, 16))).join('');
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, ...extra, key: der.toString('base64') }));
  return { dir, id, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Rig {
  gateway: GatewayProcess;
  browser: Chromium;
  id: string;
  origin: string;
  worker: Worker;
  /** Every URL requested, and those refused as outside the allowed origins. */
  requests: string[];
  foreign: string[];
  /** Fixture pages served at these URLs (exact origin + path prefix → file in fixtures/, or an absolute path to a script). */
  serve(urlPrefix: string, file: string, transform?: (text: string) => string): void;
  page(path: string): Promise<Page>;
  setSettings(settings: Record<string, unknown>): Promise<void>;
  /** With `policies`: replaces one policy file, as an administrator editing it (Chromium watches the folder). */
  writePolicy(name: string, text: string): void;
  close(): Promise<void>;
}

export interface RigOptions {
  manifestExtra?: Record<string, unknown>;
  colorScheme?: 'light' | 'dark';
  locale?: string;
  /**
   * Machine policy files (name → JSON text) naming this run's id: Chromium then runs in its own mount namespace
   * with them in /etc/chromium/policies/managed (`@visio/testing/chromium-policies`); the real /etc is never written.
   */
  policies?: (id: string) => Record<string, string>;
  /** Extra gateway variables; a function when they name the extension id (a redirect URI). */
  gatewayEnv?: Record<string, string> | ((id: string) => Record<string, string>);
  /** Origins besides the gateway's and the instance's that the browser may reach (an identity provider). */
  allowOrigins?: string[];
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const ext = extensionCopy(options.manifestExtra);
  const origin = `chrome-extension://${ext.id}`;
  const extraEnv = typeof options.gatewayEnv === 'function' ? options.gatewayEnv(ext.id) : options.gatewayEnv;
  const gateway = await startGatewayProcess({ LOG_LEVEL: 'warn', CORS_ORIGINS: origin, ...extraEnv });
  const locale = options.locale ?? 'fr-FR';
  let browser: Chromium;
  let writePolicy: Rig['writePolicy'] = () => {
    throw new Error('writePolicy needs a rig started with policies');
  };
  try {
    if (options.policies) {
      const withPolicies = await launchChromiumWithPolicies({
        managed: options.policies(ext.id),
        locale,
        args: [`--disable-extensions-except=${ext.dir}`, `--load-extension=${ext.dir}`],
      });
      browser = { context: withPolicies.context, close: () => withPolicies.close() };
      writePolicy = (name, text) => withPolicies.writeManaged(name, text);
    } else browser = await launchChromium({ extensionDir: ext.dir, clipboard: true, colorScheme: options.colorScheme ?? 'light', locale });
  } catch (error) {
    await gateway.stop();
    ext.remove();
    throw error;
  }
  const requests: string[] = [];
  const foreign: string[] = [];
  const fixtures = new Map<string, string>();
  const transforms = new Map<string, (text: string) => string>();
  const allowed = (url: string) =>
    url.startsWith(`${gateway.url}/`) ||
    url.startsWith(`${origin}/`) ||
    url.startsWith(`https://${ext.id}.chromiumapp.org/`) ||
    url.startsWith(`${INSTANCE}/`) ||
    url.startsWith('blob:') ||
    url.startsWith('data:') ||
    (options.allowOrigins ?? []).some((o) => url.startsWith(`${o}/`)) ||
    [...fixtures.keys()].some((p) => url.startsWith(p));

  await browser.context.route('**/*', async (route) => {
    const url = route.request().url();
    requests.push(url);
    if (!allowed(url)) {
      foreign.push(url);
      return route.abort('blockedbyclient');
    }
    const fixture = [...fixtures.entries()].find(([prefix]) => url.startsWith(prefix));
    // A fixture page, or a script a fixture loads (an absolute path: a real editor from node_modules).
    if (fixture) {
      const text = readFileSync(isAbsolute(fixture[1]) ? fixture[1] : join(FIXTURES, fixture[1]), 'utf8');
      return route.fulfill({
        status: 200,
        contentType: fixture[1].endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8',
        body: transforms.get(fixture[0])?.(text) ?? text,
      });
    }
    // The Visio instance cannot be reached from here: a stand-in page for joined rooms.
    if (url.startsWith(`${INSTANCE}/`)) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Visio</title><p>room</p>' });
    return route.continue();
  });

  const worker =
    browser.context.serviceWorkers().find((w) => w.url().startsWith(origin)) ??
    (await browser.context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(origin), timeout: 15_000 }));

  const rig: Rig = {
    gateway,
    browser,
    id: ext.id,
    origin,
    worker,
    requests,
    foreign,
    serve: (prefix, file, transform) => {
      fixtures.set(prefix, file);
      if (transform) transforms.set(prefix, transform);
      else transforms.delete(prefix);
    },
    async page(path) {
      const page = await browser.context.newPage();
      await page.goto(path.startsWith('http') ? path : `${origin}/${path}`);
      return page;
    },
    writePolicy: (name, text) => writePolicy(name, text),
    async setSettings(settings) {
      await worker.evaluate(async (s) => {
        const g = globalThis as unknown as { chrome: { storage: { local: { set(v: unknown): Promise<void> } } } };
        await g.chrome.storage.local.set({ settings: s });
      }, settings);
    },
    async close() {
      await browser.close();
      await gateway.stop();
      ext.remove();
    },
  };
  // French as the agent's choice: Chromium's UI language here is the system's (English), not the pages' locale.
  await rig.setSettings({ gatewayUrl: gateway.url, lang: 'fr' });
  return rig;
}

export interface GatewayRoom {
  code: string;
  url: string;
  accessLevel: string;
  title?: string;
  schedule?: { start: string; end: string; timeZone: string; recurrenceEnd?: string | null };
}

/** The local agent's open rooms, newest first. */
export async function gatewayRooms(gateway: GatewayProcess): Promise<GatewayRoom[]> {
  const response = await fetch(`${gateway.url}/v1/rooms?limit=100`);
  return ((await response.json()) as { items: GatewayRoom[] }).items;
}

/**
 * Polls `what` until `ok` holds (the machine is loaded: no timing assumed), else fails with the last value.
 * A probe that throws (a page navigating under it) counts as not yet; the last error is reported at the end.
 */
export async function waitUntil<T>(what: () => Promise<T>, ok: (v: T) => boolean, label: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    try {
      const value = await what();
      if (ok(value)) return value;
      last = `last value ${JSON.stringify(value)}`;
    } catch (error) {
      last = `last error ${String(error)}`;
    }
    if (Date.now() > deadline) throw new Error(`${label}: ${last}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
