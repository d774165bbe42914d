import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../../vitest.preset.ts';

export default mergeConfig(sourceConditions, defineProject({ test: { name: 'outlook', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } }));
