import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.preset.ts';

export default mergeConfig(sourceConditions, defineProject({ test: { name: 'gateway', include: ['test/**/*.test.ts'], testTimeout: 20_000 } }));
