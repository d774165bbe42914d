// Second versions of Debian programs the tests run side by side with the installed one, unpacked from
// Debian's archive into .tools/ (apt-get download + dpkg -x, nothing installed system-wide).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log, root } from './run.mjs';

export const unpackedPackages = [
  // Thunderbird 140 ESR (bookworm main) beside 153 ESR (bookworm-security): the add-on's oldest supported
  // version. Its libraries are those 153 pulls in (same Depends; NSS is bundled in its own folder).
  { name: 'thunderbird', version: '1:140.12.0esr-1~deb12u1', dir: 'thunderbird-140', binary: 'usr/lib/thunderbird/thunderbird' },
];

/** Folder holding an unpacked package: .tools/<dir>. */
export function unpackedDir(pkg) {
  return join(root, '.tools', pkg.dir);
}

export function ensureUnpackedPackages(packages = unpackedPackages) {
  for (const pkg of packages) {
    const target = unpackedDir(pkg);
    if (existsSync(join(target, pkg.binary))) continue;
    log(`unpacking ${pkg.name} ${pkg.version} into ${target}`);
    const work = `${target}.partial`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const run = (cmd, args) => {
      const r = spawnSync(cmd, args, { cwd: work, stdio: 'inherit' });
      if (r.status !== 0) {
        log(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.error?.message}); the tests need ${pkg.name} ${pkg.version}`);
        process.exit(1);
      }
    };
    run('apt-get', ['download', '-qq', `${pkg.name}=${pkg.version}`]);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) {
      log(`apt-get download left no .deb for ${pkg.name} ${pkg.version}`);
      process.exit(1);
    }
    run('dpkg', ['-x', deb, 'root']);
    rmSync(target, { recursive: true, force: true });
    renameSync(join(work, 'root'), target);
    rmSync(work, { recursive: true, force: true });
  }
}
