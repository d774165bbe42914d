// Bundles the gateway page script (with the shared client) into dist/page, served by GET /assets/*.
// `--mode switch` bundles the "Passer à Visio" page script (switch.js) next to it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig(({ mode }) => ({
  resolve: { conditions: ['source'] },
  publicDir: false,
  build: {
    outDir: resolve(here, 'dist/page'),
    emptyOutDir: mode !== 'switch',
    target: 'es2022',
    sourcemap: false,
    lib:
      mode === 'switch'
        ? { entry: resolve(here, 'src/page/switch.ts'), formats: ['es'], fileName: () => 'switch.js' }
        : { entry: resolve(here, 'src/page/page.ts'), formats: ['es'], fileName: () => 'page.js' },
  },
  plugins: [
    {
      name: 'page-css',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: 'page.css', source: readFileSync(resolve(here, 'src/page/page.css'), 'utf8') });
      },
    },
  ],
}));
