// `npm run lint`: Biome's linter over the workspace (biome.json), then the import rules of
// dependency-cruiser (.dependency-cruiser.cjs: no cycles, clients never import the gateway, routes do not
// import stores, shared/ imports no node:*). `--format` also checks the formatting (`npm run format` fixes it).
// Known import violations still to remove are listed in .dependency-cruiser-known-violations.json.
import { join } from 'node:path';
import { mustRun, root } from './lib/run.mjs';

export const LINTED = ['gateway', 'shared', 'addins', 'extension', 'testing', 'scripts'];
const bin = (name) => join(root, 'node_modules', '.bin', name);

const checkFormat = process.argv.includes('--format');
mustRun(bin('biome'), [checkFormat ? 'check' : 'lint', '--error-on-warnings', '--no-errors-on-unmatched', '.']);
mustRun(bin('depcruise'), ['--config', '.dependency-cruiser.cjs', '--ignore-known', '--output-type', 'err', ...LINTED]);
