// Builds the add-in's web files into dist/web: each script one classic IIFE bundle (no imports at run time,
// as classic Outlook's JavaScript-only runtime requires), the pages, the style and the icons.
// VISIO_OFFICE_JS=cdn points the pages at Microsoft's CDN (Marketplace submission); default: the gateway's copy.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { writeIcons } from './icons.mjs';
import { nextBuild } from './dist/lib/manifest/release.js';
import { readRelease, RELEASE_FILE } from './dist/lib/files.js';

const here = import.meta.dirname;
const out = resolve(here, 'dist/web');
const OFFICE_JS = process.env.VISIO_OFFICE_JS === 'cdn' ? 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js' : '/outlook/office/office.js';

// Read before the output folder is emptied: every build gets a higher number than the one it replaces.
let previous = null;
try {
  if (existsSync(resolve(out, RELEASE_FILE))) previous = readRelease(out).build;
} catch {
  // An unreadable earlier release only loses the "higher than before" guarantee; hours still grow.
}
const release = { version: JSON.parse(readFileSync(resolve(here, 'package.json'), 'utf8')).version, build: nextBuild(previous, new Date()) };

const entries = { commands: 'src/commands/entry.ts', taskpane: 'src/taskpane/taskpane.ts', 'auth-callback': 'src/dialog/auth-callback.ts' };
let first = true;
for (const [name, entry] of Object.entries(entries)) {
  await build({
    configFile: false,
    logLevel: 'warn',
    resolve: { conditions: ['source'] },
    publicDir: false,
    build: {
      outDir: out,
      emptyOutDir: first,
      target: 'es2017',
      sourcemap: false,
      minify: true,
      lib: { entry: resolve(here, entry), formats: ['iife'], name: `visio_${name.replace(/-/g, '_')}`, fileName: () => `${name}.js` },
    },
  });
  first = false;
}
for (const page of ['commands.html', 'taskpane.html', 'auth-callback.html']) {
  writeFileSync(resolve(out, page), readFileSync(resolve(here, 'pages', page), 'utf8').replaceAll('%OFFICE_JS%', OFFICE_JS));
}
writeFileSync(resolve(out, 'taskpane.css'), readFileSync(resolve(here, 'pages/taskpane.css')));
mkdirSync(resolve(out, 'icons'), { recursive: true });
writeIcons(resolve(out, 'icons'));
writeFileSync(resolve(out, RELEASE_FILE), `${JSON.stringify(release)}\n`);
