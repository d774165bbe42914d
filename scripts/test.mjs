// `npm test`: install what the tests need (Debian packages as root, npm packages), build, run every test.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './lib/system.mjs';
import { ensureUnpackedPackages } from './lib/unpacked.mjs';
import { ensurePnpm, log, pnpm, pnpmInstall, root } from './lib/run.mjs';

ensureDebianPackages();
ensureUnpackedPackages();
pnpmInstall();
pnpm(['-r', 'build']);
pnpm(['-r', 'typecheck']);
// Lint and import rules (scripts/lint.mjs) take seconds; their verdict joins the tests'.
const lint = spawnSync(process.execPath, [join(root, 'scripts', 'lint.mjs'), '--format'], { stdio: 'inherit', cwd: root });
const linted = lint.status === 0;

const report = join(root, '.vitest-report.json');
rmSync(report, { force: true });
const extra = process.argv.slice(2);
const result = spawnSync(process.execPath, [ensurePnpm(), 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], { stdio: 'inherit', cwd: root });

if (!existsSync(report)) {
  log('vitest wrote no report');
  process.exit(result.status || 1);
}
const summary = JSON.parse(readFileSync(report, 'utf8'));
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`lint and format: ${linted ? 'passed' : 'FAILED'}`);
// One plain closing line that any reader of the CI log can count.
console.log(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (summary.numTotalTests === 0) {
  log('no test ran');
  process.exit(1);
}
process.exit(linted ? (result.status ?? 1) : 1);
