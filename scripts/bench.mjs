// `npm run bench`: install, build, then every package's benchmark, one after the other.
// `npm run bench -- --scale`: the gateway's scale-out benchmark only (several instances on PostgreSQL).
// `npm run bench -- --only=rooms,calendars,switch`: those gateway parts only (the other packages know no --only).
import { pnpm, pnpmInstall } from './lib/run.mjs';
import { ensureUnpackedPackages } from './lib/unpacked.mjs';

const args = process.argv.slice(2);
ensureUnpackedPackages();
pnpmInstall();
pnpm(['-r', 'build']);
if (args.includes('--scale') || args.some((a) => a.startsWith('--only='))) pnpm(['--filter', '@visio/gateway', 'run', 'bench', ...args]);
else pnpm(['-r', '--workspace-concurrency=1', '--if-present', 'run', 'bench', ...args]);
