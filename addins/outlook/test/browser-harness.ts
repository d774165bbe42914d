/** The built add-in in Chromium, served by a real gateway process, with the Office double in place of office.js. */
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, type Chromium } from '@visio/testing/chromium';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import type { DoubleState, Scenario } from './office-double.ts';

export async function doubleScript(): Promise<string> {
  const result = await build({ entryPoints: [new URL('./office-double.browser.ts', import.meta.url).pathname], bundle: true, format: 'iife', write: false, target: 'es2020', logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}

export interface Harness {
  gateway: GatewayProcess;
  browser: Chromium;
  context: BrowserContext;
  requests: string[];
  open(path: string, scenario: Scenario): Promise<Page>;
  close(): Promise<void>;
}

/** `env` adds to the gateway's environment (e.g. OIDC mode with a fixed PORT known to the provider). */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const [gateway, script] = await Promise.all([startGatewayProcess({ LOG_LEVEL: 'warn', ...env }), doubleScript()]);
  const browser = await launchChromium();
  const { context } = browser;
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  // Office owns the dialog's window and sees when the agent closes it: a dialog page closed by the test tells
  // the double in the page that opened it (which ignores it when the add-in had closed the dialog itself).
  context.on('page', (popup) => {
    void popup.opener().then((opener) => {
      if (!opener) return;
      popup.on('close', () => {
        if (opener.isClosed()) return;
        void opener.evaluate(() => (window as unknown as { __officeDouble?: { dialogClosedByUser(): void } }).__officeDouble?.dialogClosedByUser()).catch(() => undefined);
      });
    });
  });
  await context.route(`${gateway.url}/outlook/office/office.js`, (route) => route.fulfill({ body: script, contentType: 'text/javascript; charset=utf-8' }));
  return {
    gateway,
    browser,
    context,
    requests,
    async open(path, scenario) {
      const page = await context.newPage();
      await page.addInitScript((s) => void ((window as unknown as { __officeScenario: Scenario }).__officeScenario = s), scenario);
      await page.goto(`${gateway.url}${path}`);
      return page;
    },
    async close() {
      await browser.close();
      await gateway.stop();
    },
  };
}

/** Runs a command as Outlook does (the handler gets an event and calls completed()). */
export async function invoke(page: Page, name: string): Promise<DoubleState> {
  await page.waitForFunction((n) => Boolean((window as unknown as { __officeDouble?: { actions: Record<string, unknown> } }).__officeDouble?.actions[n]), name);
  await page.evaluate((n) => (window as unknown as { __officeDouble: { invoke(n: string): Promise<void> } }).__officeDouble.invoke(n), name);
  return state(page);
}

export function state(page: Page): Promise<DoubleState> {
  return page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __officeDouble: { state: DoubleState } }).__officeDouble.state)) as DoubleState);
}
