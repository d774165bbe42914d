import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../../vitest.preset.ts';

// The real-Thunderbird suite runs its files one after the other: each starts its own Thunderbird.
export default mergeConfig(sourceConditions, defineProject({ test: { name: 'thunderbird', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 90_000, fileParallelism: false } }));
