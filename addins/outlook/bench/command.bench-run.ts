/**
 * Benchmark: gzip size of the command file and task pane (office.js excluded), and the time from a command's
 * start to the block written, against a local gateway in the Chromium double (median of 20 fresh items).
 * Budgets: command file <= 40 KB gzip; median <= 300 ms. Prints figures; exits non-zero over budget.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADDIN_WEB_DIR } from '../src/files.ts';
import { startHarness, type Harness } from '../test/browser-harness.ts';
import type { Scenario } from '../test/office-double.ts';
import { LOCATION_PLACES, OWA_HTML } from '../test/fixtures.ts';

const RUNS = 20;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const gz = (files: string[]) => files.reduce((n, f) => n + gzipSync(readFileSync(join(ADDIN_WEB_DIR, f)), { level: 9 }).length, 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

it('measures', async () => {
  const commands = gz(['commands.js']);
  const taskpane = gz(['taskpane.js', 'taskpane.html', 'taskpane.css']);
  const scenario: Scenario = { itemType: 'appointment', mode: 'compose', bodyType: 'html', body: OWA_HTML, location: LOCATION_PLACES, subject: 'Comité' };
  const page = await h.open('/outlook/commands.html', scenario);
  await page.waitForFunction(() => typeof (window as unknown as Record<string, unknown>).addVisioMeeting === 'function');
  // One warm-up run (first fetch of the gateway configuration), then the measured runs on fresh items.
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const ms = await page.evaluate(async (s) => {
      const w = window as unknown as { __installOfficeDouble(s: unknown): { state: { bodyWrittenAt: number | null } }; addVisioMeeting(e: { completed(): void }): void };
      const double = w.__installOfficeDouble(s);
      const start = performance.now();
      await new Promise<void>((resolve) => w.addVisioMeeting({ completed: resolve }));
      return double.state.bodyWrittenAt === null ? -1 : double.state.bodyWrittenAt - start;
    }, scenario);
    expect(ms).toBeGreaterThan(0);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2;
  const ok = (c: boolean) => (c ? 'ok' : 'OVER BUDGET');
  console.log('\n== outlook add-in ==');
  console.log(`command file (commands.js) gzip ${kb(commands)} (budget <= 40 KB: ${ok(commands <= 40 * 1024)})`);
  console.log(`task pane (js+html+css)    gzip ${kb(taskpane)}`);
  console.log(
    `Add Visio meeting, start -> block written, ${RUNS} fresh items: median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (budget <= 300 ms: ${ok(median <= 300)})`,
  );
  if (commands > 40 * 1024 || median > 300) process.exitCode = 1;
});
