/**
 * Debian's Chromium with machine policies, as an administrator installs them, without touching the real
 * /etc: on Linux Chromium reads policies only from /etc/chromium/policies/{managed,recommended}, so the
 * browser runs in its own mount namespace (unshare -m, root) where a temporary folder is bind-mounted over
 * /etc/chromium. Other processes, other engineers' browsers included, still see the real folder, and nothing
 * is left behind when the test fails: the mount dies with the browser. playwright-core attaches over CDP
 * (a free loopback port) instead of launching the browser itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { freePort, ProcessExited, waitFor } from './ports.ts';

export const CHROMIUM_ETC = '/etc/chromium';

export interface PolicyChromium {
  browser: Browser;
  /** The DevTools HTTP endpoint (http://127.0.0.1:port). */
  cdpUrl: string;
  context: BrowserContext;
  /** The browser's output so far (for failure messages). */
  output(): string;
  /** The browser's profile folder (user data dir). */
  profileDir: string;
  /**
   * Quits and starts again on the same profile and policies. DevTools attaches (and so keeps service workers
   * running) only once `beforeConnect` holds: an extension update is installed only while the extension is idle.
   */
  restart(beforeConnect?: () => boolean): Promise<void>;
  /** Writes (or replaces) one managed policy file, as an administrator editing it: Chromium watches the folder. */
  writeManaged(name: string, text: string): void;
  close(): Promise<void>;
}

export interface PolicyChromiumOptions {
  /** Files for policies/managed/ (name → JSON text), e.g. the gateway's /deploy/chromium-policy.json. */
  managed: Record<string, string>;
  locale?: string;
  args?: string[];
  timeoutMs?: number;
}

function writePolicy(etc: string, name: string, text: string) {
  if (!/^[\w.-]+\.json$/.test(name)) throw new Error(`not a policy file name: ${name}`);
  writeFileSync(join(etc, 'policies', 'managed', name), text);
}

/** A copy of /etc/chromium (master_preferences and the like) whose policies/ holds only the given files. */
function etcCopy(root: string, managed: Record<string, string>): string {
  const etc = join(root, 'etc-chromium');
  mkdirSync(join(etc, 'policies', 'managed'), { recursive: true });
  if (existsSync(CHROMIUM_ETC)) for (const entry of readdirSync(CHROMIUM_ETC)) if (entry !== 'policies') cpSync(join(CHROMIUM_ETC, entry), join(etc, entry), { recursive: true });
  for (const [name, text] of Object.entries(managed)) writePolicy(etc, name, text);
  return etc;
}

interface Running {
  child: ChildProcess;
  browser: Browser;
  exited: Promise<void>;
}

export async function launchChromiumWithPolicies(options: PolicyChromiumOptions): Promise<PolicyChromium> {
  if (process.getuid?.() !== 0) throw new Error('a private mount namespace for Chromium’s policy folder needs root (npm test runs as root in CI)');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}`);
  if (!existsSync(CHROMIUM_ETC)) throw new Error(`${CHROMIUM_ETC} is missing: Debian's chromium package creates it`);
  const root = mkdtempSync(join(tmpdir(), 'visio-chromium-policy-'));
  const etc = etcCopy(root, options.managed);
  let output = '';
  let port = 0;
  let running: Running | undefined;

  async function start(beforeConnect?: () => boolean): Promise<Running> {
    port = await freePort();
    const args = [
      // Background networking off would also stop the extension updater that force-installs from the policy.
      ...CHROMIUM_ARGS.filter((a) => a !== '--disable-background-networking'),
      '--headless=new',
      `--user-data-dir=${join(root, 'profile')}`,
      '--remote-debugging-address=127.0.0.1',
      `--remote-debugging-port=${port}`,
      `--lang=${options.locale ?? 'fr-FR'}`,
      ...(options.args ?? []),
      'about:blank',
    ];
    // unshare without --fork execs sh, which execs Chromium: one process group, killed as a whole.
    const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', 'mount --bind "$0" /etc/chromium; exec "$@"', etc, CHROMIUM_PATH, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (d: Buffer) => (output = (output + d).slice(-20_000));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor(
        'Chromium’s DevTools endpoint',
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new ProcessExited(`exit ${child.exitCode ?? child.signalCode}`);
          return (await fetch(`http://127.0.0.1:${port}/json/version`)).ok;
        },
        options.timeoutMs ?? 60_000,
        () => output,
      );
      if (beforeConnect)
        await waitFor(
          'Chromium’s state before DevTools attaches',
          async () => beforeConnect(),
          options.timeoutMs ?? 120_000,
          () => output,
        );
      return { child, browser: await chromium.connectOverCDP(`http://127.0.0.1:${port}`), exited };
    } catch (error) {
      kill(child);
      await exited;
      throw error;
    }
  }

  function kill(child: ChildProcess) {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Quits as a user would (Browser.close: profile and pending installs written), killed if it hangs. */
  async function stop(r: Running) {
    const session = await r.browser.newBrowserCDPSession().catch(() => undefined);
    await session?.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => kill(r.child), 30_000);
    await r.exited;
    clearTimeout(timer);
    kill(r.child); // helpers left in the group
  }

  try {
    running = await start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const handle: PolicyChromium = {
    get browser() {
      return running!.browser;
    },
    get context() {
      const context = running!.browser.contexts()[0];
      if (!context) throw new Error('Chromium over CDP has no default context');
      return context;
    },
    get cdpUrl() {
      return `http://127.0.0.1:${port}`;
    },
    output: () => output,
    writeManaged: (name, text) => writePolicy(etc, name, text),
    profileDir: join(root, 'profile'),
    async restart(beforeConnect) {
      if (running) await stop(running);
      running = undefined;
      running = await start(beforeConnect);
    },
    async close() {
      if (running) await stop(running);
      running = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  };
  return handle;
}
