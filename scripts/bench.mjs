// `npm run bench`: install, build, then every package's benchmark, one after the other.
import { pnpm, pnpmInstall } from './lib/run.mjs';

pnpmInstall();
pnpm(['-r', 'build']);
pnpm(['-r', '--workspace-concurrency=1', '--if-present', 'run', 'bench', ...process.argv.slice(2)]);
