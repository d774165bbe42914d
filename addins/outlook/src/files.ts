/** Where the built add-in is on disk, for the gateway that serves it (Node only). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// From src/ (tests, source condition) or dist/lib/ (run time): the package root either way.
const root = here.endsWith(join('dist', 'lib')) ? join(here, '..', '..') : join(here, '..');

/** The web files (pages, scripts, icons) built by `vite build`. */
export const ADDIN_WEB_DIR = join(root, 'dist', 'web');
