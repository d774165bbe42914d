// Common Vitest settings: workspace packages resolve to their TypeScript sources ("source" export condition).
import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { UserConfig } from 'vitest/config';

export const sourceConditions: UserConfig = {
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions], externalConditions: ['source'] } },
};
