import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['shared/vitest.config.ts', 'testing/vitest.config.ts', 'gateway/vitest.config.ts', 'addins/*/vitest.config.ts', 'extension/*/vitest.config.ts'],
  },
});
