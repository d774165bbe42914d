/**
 * The import rules of `npm run lint` (.dependency-cruiser.cjs) on planted trees (testing/lint-fixtures):
 * each tree breaks one rule and must fail with that rule's name; the clean tree must pass.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'testing', 'lint-fixtures');

function cruise(tree: string): { status: number | null; rules: string[] } {
  // The `err` reporter, as `npm run lint` runs it: one `error <rule>: from → to` line per violation, and the exit code.
  const run = spawnSync(join(root, 'node_modules', '.bin', 'depcruise'), ['--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err', '.'], {
    cwd: join(fixtures, tree),
    encoding: 'utf8',
  });
  return { status: run.status, rules: [...new Set([...run.stdout.matchAll(/^\s*error ([a-z-]+):/gm)].map((m) => m[1]!))] };
}

describe('import rules', () => {
  it.each([
    ['cycle', 'no-cycle'],
    ['route-imports-store', 'routes-do-not-import-stores'],
    ['shared-imports-io', 'shared-imports-no-io'],
    ['client-imports-gateway', 'clients-never-import-the-gateway'],
  ])('fail on the planted tree %s (%s)', (tree, rule) => {
    const { status, rules } = cruise(tree);
    expect(rules).toEqual([rule]);
    expect(status).not.toBe(0);
  });

  it('pass on a tree that keeps them (route → service → store, client → shared)', () => {
    expect(cruise('clean')).toEqual({ status: 0, rules: [] });
  });
});
