/**
 * Benchmark (npm run bench): size of the built .xpi, and, in each supported Thunderbird ESR (140 and 153)
 * against a local gateway process, the time from pressing "Add Visio meeting" to the editor's fields being
 * filled (median of 10, budget 300 ms each). Measured inside Thunderbird: click → the location field's
 * input event. The versions run one after the other in the same run.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { enableCalendars, launchThunderbird, thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { ADDON_ID, XPI, editorScripts as E } from '../test/tb-scripts.ts';

const RUNS = 10;
const BUDGET_MS = 300;
const PRESS_AND_TIME = `
  for (const w of Services.wm.getEnumerator(null)) {
    for (const f of w.document.querySelectorAll("iframe")) {
      const d = f.contentDocument;
      if (!d || d.documentElement.dataset.testView !== arguments[0]) continue;
      const input = d.getElementById("item-location");
      return new Promise((resolve) => {
        const start = d.defaultView.performance.now();
        input.addEventListener("input", () => resolve(d.defaultView.performance.now() - start), { once: true });
        d.querySelector('[data-visio-command="add"]').click();
      });
    }
  }
  throw new Error("no editor " + arguments[0]);`;

describe.each(thunderbirdInstallations().map((t) => [t.major, t.executable] as const))('Thunderbird %s', (major, executable) => {
  let gateway: GatewayProcess;
  let tb: Thunderbird;

  beforeAll(async () => {
    gateway = await startGatewayProcess({ LOG_LEVEL: 'warn' });
    tb = await launchThunderbird({ executable, addon: { id: ADDON_ID, xpi: XPI }, extensionStorage: { [ADDON_ID]: { gatewayUrl: gateway.url } } });
    await enableCalendars(tb);
    await tb.waitFor(E.addonActive, [ADDON_ID]);
  });

  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
  });

  test(`Add Visio meeting: press → fields filled, median of ${RUNS} (budget ${BUDGET_MS} ms)`, async () => {
    const size = statSync(XPI).size;
    const times: number[] = [];
    // One warm-up press: the first request also fetches the gateway's configuration.
    for (let i = 0; i < RUNS + 1; i++) {
      const view = await E.openNewEvent(tb, `Bench ${i}`);
      const ms = await tb.chrome<number>(PRESS_AND_TIME, view);
      if (i > 0) times.push(ms);
      await E.discard(tb, view);
    }
    times.sort((a, b) => a - b);
    const median = (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2;
    console.log(`thunderbird ${major} add-on: .xpi ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
    console.log(
      `thunderbird ${major} add-on: press → fields filled: median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (n=${RUNS}, budget ${BUDGET_MS} ms)`,
    );
    expect(median).toBeLessThanOrEqual(BUDGET_MS);
  });
});
