/**
 * Debian's Firefox ESR, headless, in a throwaway profile, driven over Marionette (a plain TCP socket; no
 * driver download). Unsigned extensions are side-loaded from the profile's extensions folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export interface FirefoxOptions {
  /** Unpacked extensions: gecko id → folder holding manifest.json. */
  extensions?: Record<string, string>;
  prefs?: Record<string, string | number | boolean>;
  /** Another Firefox program (e.g. a copy of the installation with its own policies). */
  executable?: string;
}

// Quiet, offline-friendly defaults: no update checks, telemetry, first-run pages or remote settings.
const BASE_PREFS: Record<string, string | number | boolean> = {
  'xpinstall.signatures.required': false,
  'extensions.autoDisableScopes': 0,
  'extensions.enabledScopes': 15,
  'extensions.startupScanScopes': 15,
  'app.update.enabled': false,
  'app.update.auto': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.aboutwelcome.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.download.folderList': 2,
  'browser.download.useDownloadDir': true,
  'browser.download.always_ask_before_handling_new_types': false,
};

/**
 * A copy of the Firefox installation with a `distribution/policies.json`, as an administrator deploys
 * enterprise policies, without touching the system's: every entry links to the real one but the program,
 * copied so that Firefox takes the copy's folder as its own (it resolves its folder from its own path).
 */
export function firefoxInstallationWithPolicies(policies: string, installDir = process.env.FIREFOX_DIR ?? '/usr/lib/firefox-esr'): { executable: string; remove(): void } {
  const realDir = realpathSync(installDir);
  const program = readdirSync(realDir).includes('firefox-esr') ? 'firefox-esr' : 'firefox';
  const dir = mkdtempSync(join(tmpdir(), 'visio-firefox-install-'));
  for (const name of readdirSync(realDir)) {
    if (name === 'distribution') continue;
    if (name === program) copyFileSync(join(realDir, name), join(dir, name));
    else symlinkSync(join(realDir, name), join(dir, name));
  }
  chmodSync(join(dir, program), 0o755);
  mkdirSync(join(dir, 'distribution'));
  writeFileSync(join(dir, 'distribution', 'policies.json'), policies);
  return { executable: join(dir, program), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Firefox {
  profile: string;
  downloads: string;
  /** Sends one Marionette command and returns its result. */
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** The current window handle. */
  context(): Promise<string>;
  navigate(context: string, url: string): Promise<void>;
  /** Evaluates an expression (awaited) in the page and returns its JSON-able value. */
  evaluate<T = unknown>(context: string, expression: string): Promise<T>;
  close(): Promise<void>;
}

export async function launchFirefox(options: FirefoxOptions = {}, timeoutMs = 30_000): Promise<Firefox> {
  const executable = options.executable ?? FIREFOX_PATH;
  if (!existsSync(executable)) throw new Error(`Firefox is not installed at ${executable}: run npm test as root (it installs Debian's firefox-esr) or apt-get install firefox-esr`);
  const profile = mkdtempSync(join(tmpdir(), 'visio-firefox-'));
  const downloads = join(profile, 'downloads');
  mkdirSync(join(profile, 'extensions'), { recursive: true });
  mkdirSync(downloads);
  for (const [id, dir] of Object.entries(options.extensions ?? {})) writeFileSync(join(profile, 'extensions', id), dir);
  const prefs = { ...BASE_PREFS, 'browser.download.dir': downloads, ...options.prefs };
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(prefs)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
      .join('\n'),
  );

  // -remote-allow-system-access lets the remote agent open the extension's own moz-extension:// pages.
  writeFileSync(join(profile, 'user.js'), `${readFileSync(join(profile, 'user.js'), 'utf8')}\nuser_pref("marionette.port", 0);\n`);
  const child: ChildProcess = spawn(executable, ['--headless', '--no-remote', '--profile', profile, '--marionette', '-remote-allow-system-access'], {
    env: { ...process.env, MOZ_HEADLESS: '1', MOZ_CRASHREPORTER_DISABLE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Marionette writes the port it picked into the profile.
  const portFile = join(profile, 'MarionetteActivePort');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').trim()) {
    if (child.exitCode !== null) throw new Error(`Firefox exited:\n${stderr.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Firefox did not open Marionette within ${timeoutMs} ms:\n${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const socket = connect(Number(readFileSync(portFile, 'utf8').trim()), '127.0.0.1');
  let buffer = '';
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let greeted: () => void;
  const greeting = new Promise<void>((r) => (greeted = r));
  let first = true;
  socket.setEncoding('utf8');
  // Frames are `<length>:<json>`; the length counts bytes, so parse on a Buffer-free basis with care.
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.slice(0, colon));
      const bytes = Buffer.from(buffer.slice(colon + 1), 'utf8');
      if (bytes.length < length) return;
      const body = bytes.subarray(0, length).toString('utf8');
      buffer = bytes.subarray(length).toString('utf8');
      const message = JSON.parse(body) as unknown;
      if (first) {
        first = false;
        greeted();
        continue;
      }
      const [, id, error, result] = message as [number, number, { error: string; message: string } | null, unknown];
      const waiter = pending.get(id);
      pending.delete(id);
      if (error) waiter?.reject(new Error(`${error.error}: ${error.message}`));
      else waiter?.resolve(result);
    }
  });
  await greeting;
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const json = JSON.stringify([0, id, method, params]);
      socket.write(`${Buffer.byteLength(json)}:${json}`);
    });
  await send('WebDriver:NewSession', { capabilities: {} });

  return {
    profile,
    downloads,
    send,
    async context() {
      return (await send<{ value: string }>('WebDriver:GetWindowHandle')).value;
    },
    async navigate(_context, url) {
      await send('WebDriver:Navigate', { url });
    },
    async evaluate<T>(_context: string, expression: string) {
      const result = await send<{ value: unknown }>('WebDriver:ExecuteAsyncScript', {
        script: `const done = arguments[arguments.length - 1]; Promise.resolve().then(async () => JSON.stringify(await (${expression}))).then((v) => done({ v }), (e) => done({ e: String(e) }));`,
        args: [],
      });
      // null: the document was replaced while the script ran (a navigation); it never called done().
      const value = result.value as { v?: string; e?: string } | null;
      if (value === null) throw new Error('in Firefox: the page navigated while the script ran');
      if (value.e) throw new Error(`in Firefox: ${value.e}`);
      return (value.v === undefined ? undefined : JSON.parse(value.v)) as T;
    },
    async close() {
      try {
        await Promise.race([send('Marionette:Quit', { flags: ['eForceQuit'] }), new Promise((r) => setTimeout(r, 3000))]);
      } catch {
        // Already gone.
      }
      socket.destroy();
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
