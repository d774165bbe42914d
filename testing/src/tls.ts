/**
 * Throwaway certificates made with Debian's openssl: a CA, and server certificates it signs for the
 * names given (DNS names and IP addresses in subjectAltName, as clients check them). Also a self-signed
 * one, that no client trusts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** The CA's certificate (PEM file): what NODE_EXTRA_CA_CERTS is given. */
  caFile: string;
  /** Signs a server certificate for `altNames` (`DNS:localhost`, `IP:127.0.0.1`): its files. */
  server(name: string, altNames: string[]): { certFile: string; keyFile: string };
  /** A certificate signed by itself for `altNames`. */
  selfSigned(name: string, altNames: string[]): { certFile: string; keyFile: string };
  /** Signed by the CA for `altNames`, but valid only on 1-2 January 2020. */
  expired(name: string, altNames: string[]): { certFile: string; keyFile: string };
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl is not installed (npm test installs Debian's openssl as root): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'visio-tls-'));
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      ...subj('Visio test CA'),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ],
    dir,
  );
  // `openssl ca` signs them all: it is the one command of OpenSSL 3.0 that takes explicit validity dates.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = ca.serial\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n');
  writeFileSync(join(dir, 'ca.serial'), '1000\n');
  const serverCert = (name: string, altNames: string[], kind: 'signed' | 'expired' | 'self') => {
    const keyFile = join(dir, `${name}.key`);
    const certFile = join(dir, `${name}.pem`);
    if (kind === 'self') {
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', ...subj(name), '-addext', `subjectAltName=${altNames.join(',')}`], dir);
      return { certFile, keyFile };
    }
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, `subjectAltName=${altNames.join(',')}\nextendedKeyUsage=serverAuth\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', `${name}.csr`, ...subj(name)], dir);
    const validity = kind === 'expired' ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'] : ['-days', '2'];
    openssl(['ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', certFile, '-extfile', ext, ...validity], dir);
    return { certFile, keyFile };
  };
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    server: (name, altNames) => serverCert(name, altNames, 'signed'),
    selfSigned: (name, altNames) => serverCert(name, altNames, 'self'),
    expired: (name, altNames) => serverCert(name, altNames, 'expired'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
