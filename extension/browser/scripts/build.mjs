// `npm run build`: bundles every script with Vite (self-contained IIFE files: content scripts cannot be
// modules), writes dist/chromium and dist/firefox from the same files, and zips both with web-ext.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, defaultClientConditions } from 'vite';
import { CONTENT_ENTRIES, optionsPage } from './calendars.mjs';
import { iconPng } from './icons.mjs';
import { manifest } from './manifest.mjs';
import { deploymentUpdateUrls } from './deployment.mjs';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Checked before bundling: a bad gateway address fails the build at once.
const updateUrls = deploymentUpdateUrls(process.env.VISIO_DEPLOY_GATEWAY_URL);

export const ENTRIES = {
  background: 'src/background/index.ts',
  popup: 'src/popup/popup.ts',
  options: 'src/options/options.ts',
  offscreen: 'src/offscreen/offscreen.ts',
  ...CONTENT_ENTRIES,
};

rmSync(dist, { recursive: true, force: true });
const chromium = join(dist, 'chromium');
mkdirSync(chromium, { recursive: true });

for (const [name, entry] of Object.entries(ENTRIES)) {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    resolve: { conditions: ['source', ...defaultClientConditions] },
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: chromium,
      emptyOutDir: false,
      target: ['chrome116', 'firefox140'],
      sourcemap: false,
      minify: process.env.VISIO_NO_MINIFY ? false : true,
      reportCompressedSize: false,
      lib: { entry: join(root, entry), formats: ['iife'], name: 'visio', fileName: () => `${name}.js` },
    },
  });
}

cpSync(join(root, 'static'), chromium, { recursive: true });
writeFileSync(join(chromium, 'options.html'), optionsPage(readFileSync(join(root, 'static', 'options.html'), 'utf8')));
mkdirSync(join(chromium, 'icons'), { recursive: true });
for (const size of [16, 32, 48, 128]) writeFileSync(join(chromium, 'icons', `icon-${size}.png`), iconPng(size));

const firefox = join(dist, 'firefox');
cpSync(chromium, firefox, { recursive: true });
// Firefox's background page has a DOM: no offscreen document, no managed-storage schema (policies.json).
for (const file of ['offscreen.html', 'offscreen.js', 'managed-schema.json']) rmSync(join(firefox, file));
writeFileSync(join(chromium, 'manifest.json'), `${JSON.stringify(manifest('chromium', version, updateUrls?.chromium), null, 2)}\n`);
writeFileSync(join(firefox, 'manifest.json'), `${JSON.stringify(manifest('firefox', version, updateUrls?.firefox), null, 2)}\n`);

const webExt = join(root, 'node_modules', 'web-ext', 'bin', 'web-ext.js');
for (const [target, dir] of [
  ['chromium', chromium],
  ['firefox', firefox],
]) {
  const r = spawnSync(process.execPath, [webExt, 'build', '--source-dir', dir, '--artifacts-dir', dist, '--filename', `visio-${target}-${version}.zip`, '--overwrite-dest', '--no-input'], {
    encoding: 'utf8',
    env: { ...process.env, WEB_EXT_NO_CONFIG_DISCOVERY: 'true' },
  });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
}
console.log(`built dist/chromium, dist/firefox, dist/visio-chromium-${version}.zip, dist/visio-firefox-${version}.zip`);
