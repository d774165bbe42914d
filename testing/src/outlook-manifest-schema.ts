/**
 * Validates an Outlook add-in XML manifest against Microsoft's XSDs (kept in ../contracts) with xmllint
 * (Debian package libxml2-utils), as Outlook and the Microsoft 365 admin center check it at install.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const OUTLOOK_MANIFEST_XSD = join(import.meta.dirname, '..', 'contracts', 'outlook-manifest-xsd', 'OfficeAppManifestV1_1.xsd');

export interface SchemaResult {
  valid: boolean;
  /** xmllint's messages (line and element of each violation). */
  errors: string[];
}

export function validateOutlookManifest(xml: string): SchemaResult {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', OUTLOOK_MANIFEST_XSD, '-'], { input: xml, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw new Error(`xmllint could not run (install libxml2-utils): ${run.error.message}`);
  const errors = run.stderr.split('\n').filter((line) => line.trim() !== '' && !/ validates$/.test(line));
  // xmllint exits 3 or 4 when the document does not validate, 1 when it is not well-formed.
  if (run.status !== 0 && run.status !== 1 && run.status !== 3 && run.status !== 4) throw new Error(`xmllint failed (exit ${run.status}): ${run.stderr}`);
  return { valid: run.status === 0, errors: run.status === 0 ? [] : errors };
}
