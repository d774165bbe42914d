// `npm run bench` (extension part): gzip sizes of every bundle, popup open → shown link (median of 20), and
// the popup's first state on a cold browser start (median over 10 fresh profiles), in Debian's Chromium
// against a local gateway process. Budgets: popup <= 30 KB, content scripts <= 15 KB, click median <= 150 ms,
// cold-start first state <= 300 ms. Runs under tsx: Chromium's launcher, the gateway process and the
// extension copy are the tests' own (@visio/testing, test/harness.ts), which are TypeScript.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '@visio/testing/chromium';
import { startGatewayProcess } from '@visio/testing/gateway-process';
import { extensionCopy } from '../test/harness.ts';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist', 'chromium');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

const sizes = {
  popup: gz('popup.js') + gz('popup.html') + gz('ui.css'),
  options: gz('options.js') + gz('options.html') + gz('ui.css'),
  background: gz('background.js'),
  ...Object.fromEntries(readdirSync(join(dist, 'content')).map((f) => [`content/${f}`, gz(`content/${f}`)])),
};
let failed = false;
console.log('bundle sizes (gzip):');
for (const [name, size] of Object.entries(sizes)) {
  const budget = name === 'popup' ? 30 * 1024 : name.startsWith('content/') ? 15 * 1024 : null;
  const over = budget !== null && size > budget;
  failed ||= over;
  console.log(`  ${name.padEnd(22)} ${kb(size).padStart(8)}${budget ? `  (budget ${kb(budget)})${over ? '  OVER BUDGET' : ''}` : ''}`);
}

// Extension copy with a fresh key: known id, so the gateway's CORS allowlist can name it.
const extension = extensionCopy();
const origin = `chrome-extension://${extension.id}`;
const gateway = await startGatewayProcess({ LOG_LEVEL: 'silent', CORS_ORIGINS: origin });
const gatewayUrl = gateway.url;

const { context, close } = await launchChromium({ extensionDir: extension.dir });
try {
  const worker = context.serviceWorkers().find((w) => w.url().startsWith(origin)) ?? (await context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(origin) }));
  await worker.evaluate((url) => globalThis.chrome.storage.local.set({ settings: { gatewayUrl: url, lang: 'fr' } }), gatewayUrl);
  const openToLink = [];
  const clickToLink = [];
  for (let i = 0; i < 22; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/popup.html`);
    // Times taken inside the page: submit (the click) and the first frame where the link is shown.
    await page.evaluate(() => document.getElementById('create-form').addEventListener('submit', () => (window.t0 = performance.now()), { capture: true }));
    await page.locator('#create').click();
    await page.waitForFunction(() => document.getElementById('link')?.textContent?.startsWith('https://'), null, { polling: 'raf' });
    const [t0, t1] = await page.evaluate(() => [window.t0, performance.now()]);
    if (i >= 2) {
      // The first two runs warm the service worker and the gateway up.
      clickToLink.push(t1 - t0);
      openToLink.push(t1); // performance.now() counts from the page's navigation start
    }
    await page.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const clickMedian = median(clickToLink);
  console.log(`popup click → shown link, median of ${clickToLink.length}: ${clickMedian.toFixed(1)} ms (budget 150 ms)${clickMedian > 150 ? '  OVER BUDGET' : ''}`);
  console.log(`popup open → click → shown link, median of ${openToLink.length}: ${median(openToLink).toFixed(1)} ms (page load + the driver's click + creation)`);
  failed ||= clickMedian > 150;
} finally {
  await close();
}

// Cold start: a profile configured and its popup opened once in a first run, then the browser started again
// and the popup opened at once; timed inside the page from its navigation start to the moment it shows a sign-in state (a mark).
const launch = async (profileDir) => (await launchChromium({ extensionDir: extension.dir, profileDir })).context;
const firstState = [];
try {
  for (let i = 0; i < 10; i++) {
    const coldProfile = mkdtempSync(join(tmpdir(), 'visio-bench-cold-'));
    try {
      const setup = await launch(coldProfile);
      const worker = setup.serviceWorkers().find((w) => w.url().startsWith(origin)) ?? (await setup.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(origin) }));
      await worker.evaluate((url) => globalThis.chrome.storage.local.set({ settings: { gatewayUrl: url, lang: 'fr' } }), gatewayUrl);
      // The agent used the popup once before this restart.
      const used = await setup.newPage();
      await used.goto(`${origin}/popup.html`);
      await used.waitForFunction(() => !!document.getElementById('auth-state')?.textContent);
      await used.waitForTimeout(300);
      await setup.close();
      const cold = await launch(coldProfile);
      const page = await cold.newPage();
      await page.goto(`${origin}/popup.html`);
      // The popup marks the moment it first shows a state (its navigation start is 0).
      await page.waitForFunction(() => performance.getEntriesByName('visio-first-state').length > 0);
      firstState.push(await page.evaluate(() => performance.getEntriesByName('visio-first-state')[0].startTime));
      await cold.close();
    } finally {
      rmSync(coldProfile, { recursive: true, force: true });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const coldMedian = median(firstState);
  console.log(
    `popup first state on a cold start, median of ${firstState.length} fresh profiles: ${coldMedian.toFixed(1)} ms (budget 300 ms)${coldMedian > 300 ? '  OVER BUDGET' : ''}; all: ${firstState.map((x) => x.toFixed(0)).join(', ')}`,
  );
  failed ||= coldMedian > 300;
} finally {
  await gateway.stop();
  extension.remove();
}
if (failed) process.exitCode = 1;
