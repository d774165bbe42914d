// Builds the add-on into dist/addon/ (unpacked) and dist/visio-thunderbird.xpi (zip).
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const here = import.meta.dirname;
const out = join(here, 'dist', 'addon');
rmSync(join(here, 'dist'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(here, 'static'), out, { recursive: true });

await build({
  entryPoints: { background: 'src/background.ts', options: 'src/options.ts', join: 'src/join-popup.ts' },
  absWorkingDir: here,
  outdir: out,
  bundle: true,
  format: 'iife',
  target: 'firefox128',
  conditions: ['source'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const files = {};
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files[relative(out, path).split('\\').join('/')] = [readFileSync(path), { mtime: new Date('2024-01-01T00:00:00Z') }];
  }
})(out);
const xpi = join(here, 'dist', 'visio-thunderbird.xpi');
writeFileSync(xpi, zipSync(files, { level: 9 }));
console.log(`${relative(process.cwd(), xpi)}: ${statSync(xpi).size} bytes`);
