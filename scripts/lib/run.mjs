// Small process helpers for the root scripts; plain Node so they run before any install.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function log(message) {
  process.stderr.write(`[visio] ${message}\n`);
}

/** Runs a command to completion, inheriting stdio; exits the process on failure. */
export function mustRun(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) {
    log(`cannot run ${cmd}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    log(`${cmd} ${args.join(' ')} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const toolsDir = join(root, '.tools');
const pnpmEntry = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

/** Installs the pinned pnpm from the npm registry into .tools/ (no global install, no corepack). */
export function ensurePnpm() {
  if (existsSync(pnpmEntry)) {
    const pkg = JSON.parse(readFileSync(join(toolsDir, 'node_modules', 'pnpm', 'package.json'), 'utf8'));
    if (pkg.version === pnpmVersion) return pnpmEntry;
  }
  log(`bootstrapping pnpm ${pnpmVersion} from the npm registry`);
  mkdirSync(toolsDir, { recursive: true });
  mustRun('npm', ['install', '--prefix', toolsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${pnpmVersion}`]);
  return pnpmEntry;
}

export function pnpm(args, options = {}) {
  mustRun(process.execPath, [ensurePnpm(), ...args], options);
}

export function pnpmInstall() {
  pnpm(['install', '--frozen-lockfile', '--reporter=append-only']);
}

export function spawnPnpm(args, options = {}) {
  return spawn(process.execPath, [ensurePnpm(), ...args], { stdio: 'inherit', cwd: root, ...options });
}
