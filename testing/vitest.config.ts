import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.preset.ts';

// Tests across packages: what one client writes, every other reads back.
export default mergeConfig(sourceConditions, defineProject({ test: { name: 'testing', include: ['test/**/*.test.ts'], testTimeout: 60_000 } }));
