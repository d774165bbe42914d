/** Both packages are built from one source; the Firefox one passes Mozilla's linter (offline). */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALENDARS } from '../src/lib/calendar-table.mjs';
import { MANAGED_CALENDARS } from '@visio/shared/managed-settings';
import { deploymentUpdateUrls } from '../scripts/deployment.mjs';
import { manifest as buildManifest } from '../scripts/manifest.mjs';
import { builtDir, DIST, PACKAGE_DIR } from './harness.ts';

const version = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const manifest = (target: 'chromium' | 'firefox') => JSON.parse(readFileSync(join(builtDir(target), 'manifest.json'), 'utf8')) as Record<string, any>;

describe('packages', () => {
  it('writes both zip files', () => {
    for (const target of ['chromium', 'firefox']) expect(existsSync(join(DIST, `visio-${target}-${version}.zip`)), target).toBe(true);
  });

  it('asks for least privilege: no <all_urls>, no content script or host at install, optional origins, strict CSP', () => {
    for (const target of ['chromium', 'firefox'] as const) {
      const m = manifest(target);
      const text = JSON.stringify(m);
      expect(text).not.toContain('<all_urls>');
      expect(m.host_permissions).toBeUndefined();
      // No site at install: every calendar's script is registered once the agent granted its site.
      expect(m.content_scripts).toBeUndefined();
      expect(m.content_security_policy.extension_pages).toMatch(/script-src 'self';/);
      expect(m.content_security_policy.extension_pages).not.toMatch(/unsafe-|https:\/\/\*|\bhttp:(?!\/\/(127\.0\.0\.1|localhost))/);
    }
    expect(manifest('chromium').background).toEqual({ service_worker: 'background.js' });
    expect(manifest('firefox').background).toEqual({ scripts: ['background.js'] });
    expect(manifest('firefox').browser_specific_settings.gecko.id).toBe('visio@numerique.gouv.fr');
  });

  it('ships every calendar of the one table: its content script, its choice in the options, its addresses grantable', () => {
    // A match pattern (`scheme://host/path`) covering another: same scheme, `*` or `*.` host, `/*` path.
    const covers = (pattern: string, match: string) => {
      const [, scheme, host, path] = /^(\w+):\/\/([^/]+)(\/.*)$/.exec(pattern)!;
      const [, mScheme, mHost] = /^(\w+):\/\/([^/]+)\//.exec(match)!;
      return scheme === mScheme && path === '/*' && (host === '*' || host === mHost || (host!.startsWith('*.') && mHost!.endsWith(host!.slice(1))));
    };
    for (const target of ['chromium', 'firefox'] as const) {
      const options = readFileSync(join(builtDir(target), 'options.html'), 'utf8');
      const optional: string[] = manifest(target).optional_host_permissions;
      for (const calendar of CALENDARS) {
        expect(existsSync(join(builtDir(target), 'content', `${calendar.id}.js`)), `${target} ${calendar.id}`).toBe(true);
        if ('matches' in calendar) {
          expect(options).toContain(`<input type="checkbox" id="cal-${calendar.id}"> ${calendar.name}</label>`);
          // The browser grants only what optional_host_permissions names (permissions.request rejects the rest).
          for (const match of calendar.matches)
            expect(
              optional.some((pattern) => covers(pattern, match)),
              `${target} ${match}`,
            ).toBe(true);
        } else expect(options).toContain(`<option value="${calendar.id}">${calendar.name}</option>`);
      }
      expect(options).not.toContain('<!-- calendars:');
    }
  });

  it('the Firefox package passes web-ext lint with no error', () => {
    const r = spawnSync(process.execPath, [join(PACKAGE_DIR, 'node_modules/web-ext/bin/web-ext.js'), 'lint', '--source-dir', builtDir('firefox'), '--output', 'json', '--no-input'], {
      encoding: 'utf8',
      env: { ...process.env, WEB_EXT_NO_CONFIG_DISCOVERY: 'true' },
      timeout: 120_000,
    });
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { summary: { errors: number }; errors: { code: string; message: string }[] };
    expect(report.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });
});

describe('managed settings', () => {
  it('ships the managed-storage schema, and every calendar a policy can enable has its content script', () => {
    expect(manifest('chromium').storage).toEqual({ managed_schema: 'managed-schema.json' });
    expect(existsSync(join(builtDir('chromium'), 'managed-schema.json'))).toBe(true);
    const scripts = readdirSync(join(builtDir('chromium'), 'content')).map((f) => f.replace(/\.js$/, ''));
    expect([...MANAGED_CALENDARS.builtIn, ...MANAGED_CALENDARS.selfHosted].sort()).toEqual(scripts.sort());
  });
});

describe('a build for a self-hosted deployment (VISIO_DEPLOY_GATEWAY_URL)', () => {
  const GATEWAY = 'https://visio-passerelle.exemple.gouv.fr';

  it('the shipped build names no update URL: the store or the policy decides', () => {
    expect(manifest('chromium').update_url).toBeUndefined();
    expect(manifest('firefox').browser_specific_settings.gecko.update_url).toBeUndefined();
  });

  it('names the gateway’s update manifests where each browser reads them', () => {
    const urls = deploymentUpdateUrls(`${GATEWAY}/`)!;
    expect(buildManifest('chromium', version, urls.chromium).update_url).toBe(`${GATEWAY}/deploy/chromium/updates.xml`);
    const gecko = (buildManifest('firefox', version, urls.firefox).browser_specific_settings as { gecko: Record<string, unknown> }).gecko;
    expect(gecko.update_url).toBe(`${GATEWAY}/deploy/firefox/updates.json`);
    expect(deploymentUpdateUrls(undefined)).toBeUndefined();
  });

  it('refuses a gateway address browsers would not update from safely', () => {
    for (const bad of ['http://passerelle.exemple.gouv.fr', 'https://u:p@passerelle.exemple.gouv.fr', 'https://passerelle.exemple.gouv.fr/?x=1', 'passerelle'])
      expect(() => deploymentUpdateUrls(bad), bad).toThrow(/Not a usable gateway address/);
  });

  it('its Firefox package passes web-ext lint for self-hosting with no error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'visio-selfhosted-'));
    try {
      cpSync(builtDir('firefox'), dir, { recursive: true });
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(buildManifest('firefox', version, deploymentUpdateUrls(GATEWAY)!.firefox), null, 2));
      const r = spawnSync(process.execPath, [join(PACKAGE_DIR, 'node_modules/web-ext/bin/web-ext.js'), 'lint', '--source-dir', dir, '--self-hosted', '--output', 'json', '--no-input'], {
        encoding: 'utf8',
        env: { ...process.env, WEB_EXT_NO_CONFIG_DISCOVERY: 'true' },
        timeout: 120_000,
      });
      const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { summary: { errors: number }; errors: { code: string; message: string }[] };
      expect(report.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
