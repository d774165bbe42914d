import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../vitest.preset.ts';

export default mergeConfig(sourceConditions, defineProject({ test: { name: 'shared', include: ['test/**/*.test.ts'] } }));
