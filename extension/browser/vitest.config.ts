import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConditions } from '../../vitest.preset.ts';

// Browser tests share one machine with other suites: run the files one after the other.
export default mergeConfig(sourceConditions, defineProject({ test: { name: 'browser-extension', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 90_000, fileParallelism: false } }));
