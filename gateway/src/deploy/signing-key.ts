/**
 * The key that signs the Chromium package, and so fixes its extension id: the administrator's PEM file when
 * configured (VISIO_CRX_KEY_FILE), else one generated on first start and kept in the data folder (0600), so
 * the id survives restarts. Losing it changes the id: agents' browsers would see a different extension.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const GENERATED_KEY_FILE = 'chromium-extension-key.pem';

export function loadCrxKey(configuredFile: string | undefined, dataDir: string): KeyObject {
  if (configuredFile) return createPrivateKey(readFileSync(configuredFile, 'utf8'));
  const file = join(dataDir, GENERATED_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another instance sharing the folder wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  return createPrivateKey(readFileSync(file, 'utf8'));
}
