// The Debian packages the test suite drives for real. Installed when missing (as root), else a clear failure.
import { spawnSync } from 'node:child_process';
import { log } from './run.mjs';

export const debianPackages = [
  'chromium', // extension, add-in and sign-in end-to-end tests (playwright-core, no browser download)
  'firefox-esr', // browser extension in Firefox
  'thunderbird', // Thunderbird add-on end to end
  'radicale', // CalDAV server without scheduling
  'sogo', // CalDAV server with scheduling
  'postgresql', // SOGo's database and the gateway's PostgreSQL store
  'memcached', // SOGo
  'xvfb', // windows for Thunderbird when a display is needed
  'python3-icalendar', // independent ICS parser for cross-checks
  'libxml2-utils', // xmllint: Outlook add-in XML manifests against Microsoft's XSDs
  'gir1.2-ical-3.0', // libical, the second independent ICS reader (zone test)
  'python3-gi', // libical from Python
  'xandikos', // third CalDAV server (no RFC 6638 scheduling)
  'cyrus-imapd', // Cyrus: RFC 6638 scheduling CalDAV server (imapd makes the users' mailboxes)
  'cyrus-caldav', // Cyrus's CalDAV httpd
  'sasl2-bin', // saslpasswd2: Cyrus's throwaway password database
  'openssl', // throwaway CA and certificates: CalDAV over HTTPS (testing/src/tls.ts)
];

function missing(packages) {
  return packages.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export function ensureDebianPackages(packages = debianPackages) {
  const absent = missing(packages);
  if (absent.length === 0) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    log(`missing Debian packages: ${absent.join(' ')}. Install them (sudo apt-get install ${absent.join(' ')}) and run again.`);
    process.exit(1);
  }
  log(`installing Debian packages: ${absent.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...absent],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      log(`apt-get ${args[0]} failed (exit ${r.status}); the tests need: ${absent.join(' ')}`);
      process.exit(1);
    }
  }
  const still = missing(packages);
  if (still.length > 0) {
    log(`still missing after apt-get: ${still.join(' ')}`);
    process.exit(1);
  }
}
