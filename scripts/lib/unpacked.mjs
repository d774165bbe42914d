// Second versions of Debian programs the tests run side by side with the installed one, and files only the
// tests load, unpacked from Debian's archive into .tools/ (apt-get download + dpkg -x, nothing installed
// system-wide). A version { sameAs: <package> } follows that installed package (a language pack must match
// its Thunderbird exactly); the unpacked version is noted in <dir>/.version.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, root } from './run.mjs';

export const unpackedPackages = [
  // Thunderbird 140 ESR (bookworm main) beside 153 ESR (bookworm-security): the add-on's oldest supported
  // version. Its libraries are those 153 pulls in (same Depends; NSS is bundled in its own folder).
  { name: 'thunderbird', version: '1:140.12.0esr-1~deb12u1', dir: 'thunderbird-140', binary: 'usr/lib/thunderbird/thunderbird' },
  // French language packs of both, for the layout tests in French (loaded into test profiles only).
  { name: 'thunderbird-l10n-fr', version: '1:140.12.0esr-1~deb12u1', dir: 'thunderbird-l10n-fr-140', binary: 'usr/lib/thunderbird/extensions/langpack-fr@thunderbird.mozilla.org.xpi' },
  { name: 'thunderbird-l10n-fr', version: { sameAs: 'thunderbird' }, dir: 'thunderbird-l10n-fr-153', binary: 'usr/lib/thunderbird/extensions/langpack-fr@thunderbird.mozilla.org.xpi' },
];

/** Folder holding an unpacked package: .tools/<dir>. */
export function unpackedDir(pkg) {
  return join(root, '.tools', pkg.dir);
}

function resolveVersion(version) {
  if (typeof version === 'string') return version;
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', version.sameAs], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) {
    log(`${version.sameAs} is not installed: cannot tell which version of its companion package to unpack`);
    process.exit(1);
  }
  return r.stdout.trim();
}

export function ensureUnpackedPackages(packages = unpackedPackages) {
  for (const entry of packages) {
    const pkg = { ...entry, version: resolveVersion(entry.version) };
    const target = unpackedDir(pkg);
    const stamp = join(target, '.version');
    if (existsSync(join(target, pkg.binary)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === pkg.version) continue;
    log(`unpacking ${pkg.name} ${pkg.version} into ${target}`);
    const work = `${target}.partial`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const attempt = (cmd, args) => spawnSync(cmd, args, { cwd: work, stdio: 'inherit' }).status === 0;
    const run = (cmd, args) => {
      if (!attempt(cmd, args)) {
        log(`${cmd} ${args.join(' ')} failed; the tests need ${pkg.name} ${pkg.version}`);
        process.exit(1);
      }
    };
    const download = ['download', '-qq', `${pkg.name}=${pkg.version}`];
    // A fresh machine may not have the archive's package lists yet (apt-get update needs root).
    if (!attempt('apt-get', download)) {
      if (typeof process.getuid === 'function' && process.getuid() === 0) run('apt-get', ['update', '-qq']);
      run('apt-get', download);
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) {
      log(`apt-get download left no .deb for ${pkg.name} ${pkg.version}`);
      process.exit(1);
    }
    run('dpkg', ['-x', deb, 'root']);
    writeFileSync(join(work, 'root', '.version'), pkg.version);
    rmSync(target, { recursive: true, force: true });
    renameSync(join(work, 'root'), target);
    rmSync(work, { recursive: true, force: true });
  }
}
