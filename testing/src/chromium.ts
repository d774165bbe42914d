/** Debian's Chromium driven by playwright-core: no browser download, no background traffic. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without these, Chromium keeps trying to reach Google's services, which this network refuses.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--disable-domain-reliability',
  '--disable-breakpad',
];

export interface ChromiumOptions {
  /** Load this unpacked extension (folder with manifest.json). */
  extensionDir?: string;
  locale?: string;
  colorScheme?: 'light' | 'dark';
  args?: string[];
  /** Grant clipboard access to the pages. */
  clipboard?: boolean;
  /** This profile folder, kept on close (a browser started again on the same profile), instead of a fresh one. */
  profileDir?: string;
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context in a fresh profile folder (needed for extensions), removed on close; or in `profileDir`, kept. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: run npm test as root (it installs Debian's chromium) or apt-get install chromium`);
  }
  const profile = options.profileDir ?? mkdtempSync(join(tmpdir(), 'visio-chromium-'));
  const args = [...CHROMIUM_ARGS, ...(options.args ?? [])];
  if (options.extensionDir) args.push(`--disable-extensions-except=${options.extensionDir}`, `--load-extension=${options.extensionDir}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
    locale: options.locale ?? 'fr-FR',
    colorScheme: options.colorScheme ?? 'light',
    ...(options.clipboard ? { permissions: ['clipboard-read', 'clipboard-write'] } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      if (!options.profileDir) rmSync(profile, { recursive: true, force: true });
    },
  };
}
