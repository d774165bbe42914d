// `node scripts/pnpm.mjs <args>`: pnpm without a global install.
import { pnpm } from './lib/run.mjs';
pnpm(process.argv.slice(2));
