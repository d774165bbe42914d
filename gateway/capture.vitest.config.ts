// Runs the fixture captures (not part of npm test): node scripts/pnpm.mjs exec vitest run --config gateway/capture.vitest.config.ts
import { defineConfig, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.preset.ts';

export default mergeConfig(sourceConditions, defineConfig({ test: { include: ['gateway/test/fixtures/capture-*.ts'], testTimeout: 120_000 } }));
