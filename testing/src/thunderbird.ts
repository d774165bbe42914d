/**
 * Debian's Thunderbird, headless, in a fresh profile with a Local Folders account and an identity,
 * side-loading an unsigned add-on (.xpi), driven through Marionette's chrome context. Every ESR the
 * add-ons support is listed in thunderbirdInstallations(): the installed one and the older one `npm test`
 * unpacks into .tools/ (scripts/lib/unpacked.mjs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectMarionette, type Marionette } from './marionette.ts';

export const THUNDERBIRD_PATH = process.env.THUNDERBIRD_PATH ?? '/usr/bin/thunderbird';
/** Thunderbird 140 ESR from Debian bookworm main, unpacked by `npm test` (scripts/lib/unpacked.mjs). */
export const THUNDERBIRD_140_PATH = process.env.THUNDERBIRD_140_PATH ?? join(import.meta.dirname, '..', '..', '.tools', 'thunderbird-140', 'usr', 'lib', 'thunderbird', 'thunderbird');

export interface ThunderbirdInstallation {
  /** Major version, as the tests name it ("140", "153"). */
  major: string;
  executable: string;
  /** The folder of its program files (thunderbird-bin, omni.ja…). */
  installDir: string;
  /** Its French language pack (Debian's thunderbird-l10n-fr of the same version, unpacked by `npm test`). */
  frenchLangpack: string;
}

const tools = join(import.meta.dirname, '..', '..', '.tools');
const langpack = (dir: string) => join(tools, dir, 'usr', 'lib', 'thunderbird', 'extensions', 'langpack-fr@thunderbird.mozilla.org.xpi');

/** The ESRs the suite runs on, oldest first (the add-on's strict_min_version is the first). */
export function thunderbirdInstallations(): ThunderbirdInstallation[] {
  return [
    { major: '140', executable: THUNDERBIRD_140_PATH, installDir: dirname(THUNDERBIRD_140_PATH), frenchLangpack: langpack('thunderbird-l10n-fr-140') },
    // /usr/bin/thunderbird is Debian's wrapper script; the program files are in /usr/lib/thunderbird.
    { major: '153', executable: THUNDERBIRD_PATH, installDir: process.env.THUNDERBIRD_DIR ?? '/usr/lib/thunderbird', frenchLangpack: langpack('thunderbird-l10n-fr-153') },
  ];
}

export interface ThunderbirdOptions {
  /** Side-load this add-on: the .xpi is copied to `<profile>/extensions/<addonId>.xpi`. */
  addon?: { id: string; xpi: string };
  /** Extra prefs (user.js). */
  prefs?: Record<string, string | number | boolean>;
  /** Messages (raw RFC 5322 text) written as .eml files under `<profile>/eml/` (see importMessages). */
  messages?: string[];
  /**
   * Add-on storage.local contents before start, by add-on id. Written to the JSON storage backend
   * (`browser-extension-data/<id>/storage.js`, IndexedDB backend turned off for this profile).
   */
  extensionStorage?: Record<string, Record<string, unknown>>;
  /** Identity of the Local Folders account (needed to compose). */
  identity?: { email: string; name: string };
  startTimeoutMs?: number;
  /** Another Thunderbird binary (default THUNDERBIRD_PATH). */
  executable?: string;
  /** Thunderbird's own language: this language pack (.xpi) is side-loaded and requested (intl.locale.requested). */
  langpack?: { locale: string; xpi: string };
  /** Start on this existing profile (one a previous launch kept, see Thunderbird.kill) instead of a fresh one. */
  profile?: string;
}

export interface Thunderbird {
  marionette: Marionette;
  profile: string;
  /** Runs a chrome-context script (a function body; may `return` a promise). */
  chrome<T = unknown>(script: string, ...args: unknown[]): Promise<T>;
  /** Polls a chrome-context script until it returns a truthy value. */
  waitFor<T = unknown>(script: string, args?: unknown[], options?: { timeoutMs?: number; what?: string }): Promise<T>;
  /** Everything Thunderbird wrote (stdout + stderr). */
  output(): string;
  /** Quits and removes the profile. */
  close(): Promise<void>;
  /** Kills the process (SIGKILL, as a crash or a power cut would) and keeps the profile for the next launch. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function prefLine(name: string, value: string | number | boolean): string {
  return `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`;
}

export async function launchThunderbird(options: ThunderbirdOptions = {}): Promise<Thunderbird> {
  const executable = options.executable ?? THUNDERBIRD_PATH;
  if (!existsSync(executable)) {
    throw new Error(`Thunderbird is not installed at ${executable}: run npm test as root (it installs Debian's thunderbird and unpacks Thunderbird 140 into .tools/) or apt-get install thunderbird`);
  }
  const profile = options.profile ?? mkdtempSync(join(tmpdir(), 'visio-thunderbird-'));
  const port = await freePort();
  const identity = options.identity ?? { email: 'agent@example.gouv.fr', name: 'Agent Test' };
  const prefs: Record<string, string | number | boolean> = {
    'marionette.port': port,
    'xpinstall.signatures.required': false,
    'extensions.autoDisableScopes': 0,
    'extensions.enabledScopes': 15,
    'extensions.startupScanScopes': 15,
    'mail.provider.suppress_dialog_on_startup': true,
    'mail.shell.checkDefaultClient': false,
    'mail.rights.override': true,
    'mail.winsearch.firstRunDone': true,
    'mailnews.start_page.enabled': false,
    'app.update.disabledForTesting': true,
    'app.update.auto': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'browser.dom.window.dump.enabled': true,
    'devtools.console.stdout.chrome': true,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'network.dns.disableIPv6': true,
    'calendar.timezone.local': 'Europe/Paris',
    'calendar.timezone.useSystemTimezone': false,
    'mail.spellcheck.inline': false,
    'mail.account.account1.server': 'server1',
    'mail.account.account1.identities': 'id1',
    'mail.accountmanager.accounts': 'account1',
    'mail.accountmanager.defaultaccount': 'account1',
    'mail.accountmanager.localfoldersserver': 'server1',
    'mail.server.server1.hostname': 'Local Folders',
    'mail.server.server1.name': 'Local Folders',
    'mail.server.server1.type': 'none',
    'mail.server.server1.userName': 'nobody',
    'mail.server.server1.directory-rel': '[ProfD]Mail/Local Folders',
    'mail.identity.id1.useremail': identity.email,
    'mail.identity.id1.fullName': identity.name,
    'mail.identity.id1.compose_html': true,
    'mail.identity.id1.valid': true,
    ...options.prefs,
  };
  const folder = join(profile, 'Mail', 'Local Folders');
  mkdirSync(folder, { recursive: true });
  mkdirSync(join(profile, 'eml'), { recursive: true });
  if (options.profile) rmSync(join(profile, 'lock'), { force: true });
  (options.messages ?? []).forEach((m, i) => void writeFileSync(join(profile, 'eml', `${String(i).padStart(3, '0')}.eml`), m.replace(/\r?\n/g, '\r\n')));
  if (options.extensionStorage || options.profile) prefs['extensions.webextensions.ExtensionStorageIDB.enabled'] = false;
  if (options.langpack) prefs['intl.locale.requested'] = options.langpack.locale;
  if (options.extensionStorage) {
    for (const [id, data] of Object.entries(options.extensionStorage)) {
      const dir = join(profile, 'browser-extension-data', id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'storage.js'), JSON.stringify(data));
    }
  }
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(prefs)
      .map(([k, v]) => prefLine(k, v))
      .join('\n') + '\n',
  );
  if (options.addon && !options.profile) {
    mkdirSync(join(profile, 'extensions'), { recursive: true });
    copyFileSync(options.addon.xpi, join(profile, 'extensions', `${options.addon.id}.xpi`));
  }
  if (options.langpack && !options.profile) {
    if (!existsSync(options.langpack.xpi)) throw new Error(`no language pack at ${options.langpack.xpi}: run npm test (it unpacks Debian's thunderbird-l10n-${options.langpack.locale} into .tools/)`);
    mkdirSync(join(profile, 'extensions'), { recursive: true });
    copyFileSync(options.langpack.xpi, join(profile, 'extensions', `langpack-${options.langpack.locale}@thunderbird.mozilla.org.xpi`));
  }

  let out = '';
  const child: ChildProcess = spawn(executable, ['--headless', '--no-remote', '--profile', profile, '--marionette', '-remote-allow-system-access'], {
    env: { ...process.env, MOZ_HEADLESS: '1', MOZ_CRASHREPORTER_DISABLE: '1', MOZ_DISABLE_AUTO_SAFE_MODE: '1', HOME: profile, TZ: 'Europe/Paris' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  const kill = async (signal: NodeJS.Signals = 'SIGTERM', keepProfile = false) => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!keepProfile) rmSync(profile, { recursive: true, force: true });
  };

  let marionette: Marionette;
  try {
    marionette = await Promise.race([
      connectMarionette(port, options.startTimeoutMs ?? 45_000),
      exited.then(() => {
        throw new Error('exited');
      }),
    ]);
    await marionette.send('WebDriver:NewSession', { capabilities: { alwaysMatch: { 'moz:accessibilityChecks': false } } });
    await marionette.send('Marionette:SetContext', { value: 'chrome' });
    await marionette.send('WebDriver:SetTimeouts', { script: 60_000 });
  } catch (error) {
    await kill();
    throw new Error(`Thunderbird could not start (${exitedEarly ? 'process exited' : String(error)}). Output:\n${out.slice(-4000)}`);
  }

  const chrome = <T>(script: string, ...args: unknown[]) => marionette.execute<T>(script, args);
  return {
    marionette,
    profile,
    chrome,
    async waitFor<T>(script: string, args: unknown[] = [], o: { timeoutMs?: number; what?: string } = {}): Promise<T> {
      const deadline = Date.now() + (o.timeoutMs ?? 15_000);
      let last: unknown;
      for (;;) {
        try {
          last = await marionette.execute<T>(script, args);
          if (last) return last as T;
        } catch (e) {
          last = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what ?? script.slice(0, 200)} (last: ${String(last)})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    output: () => out,
    async close() {
      try {
        await Promise.race([marionette.send('Marionette:Quit', { flags: ['eForceQuit'] }), new Promise((r) => setTimeout(r, 3000))]);
      } catch {
        /* the connection drops as Thunderbird quits */
      }
      marionette.close();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      await kill();
    },
    async kill() {
      marionette.close();
      await kill('SIGKILL', true);
    },
  };
}

/**
 * A copy of an installation to which a `distribution/policies.json` is added, as an administrator deploys
 * enterprise policies, without touching the system's installation: every entry is a symlink to the real
 * one except the program itself, copied so that Thunderbird takes the copy's folder as its own.
 */
/** `policies`: an object, or a file's text written as it is (e.g. the one a gateway serves). */
export function installationWithPolicies(installDir: string, policies: unknown): { executable: string; remove(): void } {
  const realDir = realpathSync(installDir);
  const dir = mkdtempSync(join(tmpdir(), 'visio-thunderbird-install-'));
  for (const name of readdirSync(realDir)) {
    if (name === 'distribution') continue;
    if (name === 'thunderbird-bin') copyFileSync(join(realDir, name), join(dir, name));
    else symlinkSync(name === 'thunderbird' ? 'thunderbird-bin' : join(realDir, name), join(dir, name));
  }
  mkdirSync(join(dir, 'distribution'));
  writeFileSync(join(dir, 'distribution', 'policies.json'), typeof policies === 'string' ? policies : JSON.stringify(policies, null, 2));
  chmodSync(join(dir, 'thunderbird-bin'), 0o755);
  return { executable: join(dir, 'thunderbird'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Thunderbird's version, or a clear error when it cannot run. */
export function thunderbirdVersion(executable = THUNDERBIRD_PATH): string {
  const r = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`thunderbird --version failed: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

/** Enables every calendar (Thunderbird creates "Home" disabled) and waits until one exists. */
export async function enableCalendars(tb: Thunderbird): Promise<void> {
  await tb.waitFor(`const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs"); return cal.manager.getCalendars().length > 0`, [], { what: 'the Home calendar' });
  await tb.chrome(
    `const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs"); for (const c of cal.manager.getCalendars()) c.setProperty("disabled", false); return true;`,
  );
}

/** Copies the profile's eml/*.eml files into Local Folders' Inbox (created when missing) (in name order); resolves with their count. */
export async function importMessages(tb: Thunderbird): Promise<number> {
  return tb.chrome<number>(`
    const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
    const root = MailServices.accounts.localFoldersServer.rootFolder;
    const inbox = root.getChildNamed("Inbox") ?? root.QueryInterface(Ci.nsIMsgLocalMailFolder).createLocalSubfolder("Inbox");
    const dir = Services.dirsvc.get("ProfD", Ci.nsIFile);
    dir.append("eml");
    const files = [...dir.directoryEntries].filter(f => f.leafName.endsWith(".eml")).sort((a, b) => a.leafName < b.leafName ? -1 : 1);
    return (async () => {
      for (const file of files) {
        await new Promise((resolve, reject) => MailServices.copy.copyFileMessage(file, inbox, null, false, 0, "", {
          onStartCopy() {}, onProgress() {}, setMessageKey() {}, getMessageId() {},
          onStopCopy(status) { if (Components.isSuccessCode(status)) resolve(); else reject(new Error("copy failed " + status)); },
        }, null));
      }
      return files.length;
    })();
  `);
}
