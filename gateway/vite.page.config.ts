// Bundles the gateway page script (with the shared client) into dist/page, served by GET /assets/*.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  resolve: { conditions: ['source'] },
  publicDir: false,
  build: {
    outDir: resolve(here, 'dist/page'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    lib: { entry: resolve(here, 'src/page/page.ts'), formats: ['es'], fileName: () => 'page.js' },
  },
  plugins: [
    {
      name: 'page-css',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: 'page.css', source: readFileSync(resolve(here, 'src/page/page.css'), 'utf8') });
      },
    },
  ],
});
