import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../../vitest.preset.ts';

export default mergeConfig(sourceConditions, defineProject({ test: { name: 'thunderbird-bench', include: ['bench/**/*.bench-run.ts'], testTimeout: 180_000, hookTimeout: 120_000 } }));
