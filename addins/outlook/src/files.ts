/** Where the built add-in is on disk, for the gateway that serves it (Node only). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddinRelease } from './manifest/release.js';

const here = dirname(fileURLToPath(import.meta.url));
// From src/ (tests, source condition) or dist/lib/ (run time): the package root either way.
const root = here.endsWith(join('dist', 'lib')) ? join(here, '..', '..') : join(here, '..');

/** The web files (pages, scripts, icons) built by `vite build`. */
export const ADDIN_WEB_DIR = join(root, 'dist', 'web');

/** Written by build.mjs beside the web files: the package version and this build's number. */
export const RELEASE_FILE = 'release.json';

/** The release of the built files (their manifests carry its version). */
export function readRelease(dir = ADDIN_WEB_DIR): AddinRelease {
  const raw = JSON.parse(readFileSync(join(dir, RELEASE_FILE), 'utf8')) as Partial<AddinRelease>;
  if (typeof raw.version !== 'string' || typeof raw.build !== 'number') throw new Error(`${join(dir, RELEASE_FILE)} is not a release ({version, build}): rebuild the add-in`);
  return { version: raw.version, build: raw.build };
}
