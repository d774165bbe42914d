/**
 * The clients' builds the gateway hosts: read from the build folders on each request (cheap: a manifest),
 * so a new build is offered as an update without a restart. The Chromium CRX is packed from the build's
 * zip and kept while the zip is unchanged.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, type KeyObject } from 'node:crypto';
import { buildCrx3 } from './crx3.js';

export interface BuiltPackage {
  id?: string;
  version: string;
  file: string;
}

// gateway/src/deploy or gateway/dist/deploy: the repository is three folders up.
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function manifestOf(path: string): { version: string; id?: string } | null {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; browser_specific_settings?: { gecko?: { id?: unknown } } };
    if (typeof m.version !== 'string' || !/^\d+(\.\d+){0,3}$/.test(m.version)) return null;
    const id = m.browser_specific_settings?.gecko?.id;
    return { version: m.version, ...(typeof id === 'string' ? { id } : {}) };
  } catch {
    return null;
  }
}

const exists = (file: string) => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

export function createPackages(clientsDir: string | undefined, key: () => KeyObject) {
  const root = clientsDir ? resolve(clientsDir) : REPO;
  const extensionDist = join(root, 'extension', 'browser', 'dist');
  const thunderbirdDist = join(root, 'addins', 'thunderbird', 'dist');
  let crx: { zip: string; mtimeMs: number; bytes: Buffer } | null = null;

  function find(manifest: string, file: (version: string) => string): BuiltPackage | null {
    const m = manifestOf(manifest);
    if (!m) return null;
    const path = file(m.version);
    return exists(path) ? { ...m, file: path } : null;
  }

  return {
    chromium: () => find(join(extensionDist, 'chromium', 'manifest.json'), (v) => join(extensionDist, `visio-chromium-${v}.zip`)),
    firefox: () => find(join(extensionDist, 'firefox', 'manifest.json'), (v) => join(extensionDist, `visio-firefox-${v}.zip`)),
    thunderbird: () => find(join(thunderbirdDist, 'addon', 'manifest.json'), () => join(thunderbirdDist, 'visio-thunderbird.xpi')),
    /** SHA-256 (hex) of a package's file, for updates.json's update_hash. */
    sha256(pkg: BuiltPackage): string {
      return createHash('sha256').update(readFileSync(pkg.file)).digest('hex');
    },
    /** The Chromium build as a signed CRX3. */
    crx(pkg: BuiltPackage): Buffer {
      const { mtimeMs } = statSync(pkg.file);
      if (!crx || crx.zip !== pkg.file || crx.mtimeMs !== mtimeMs) crx = { zip: pkg.file, mtimeMs, bytes: buildCrx3(readFileSync(pkg.file), key()) };
      return crx.bytes;
    },
  };
}
export type Packages = ReturnType<typeof createPackages>;
