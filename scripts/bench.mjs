// `npm run bench`: install, build, then every package's benchmark, one after the other.
// `npm run bench -- --scale`: the gateway's scale-out benchmark only (several instances on PostgreSQL).
import { pnpm, pnpmInstall } from './lib/run.mjs';
import { ensureUnpackedPackages } from './lib/unpacked.mjs';

const args = process.argv.slice(2);
ensureUnpackedPackages();
pnpmInstall();
pnpm(['-r', 'build']);
if (args.includes('--scale')) pnpm(['--filter', '@visio/gateway', 'run', 'bench', ...args]);
else pnpm(['-r', '--workspace-concurrency=1', '--if-present', 'run', 'bench', ...args]);
