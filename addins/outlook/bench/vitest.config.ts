// `npm run bench` only (not part of npm test): bundle sizes and command timing in the Chromium double.
import { defineConfig, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../../../vitest.preset.ts';

export default mergeConfig(sourceConditions, defineConfig({ test: { include: ['bench/*.bench-run.ts'], testTimeout: 120_000, hookTimeout: 60_000 } }));
