/** The real entry point, as `npm start` runs it: the built dist/main.js in its own process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './harness.ts';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

function run(env: Record<string, string>) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the gateway first (npm test does)`);
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => ({ stderr, stdout }) };
}

async function waitFor<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('gateway process', () => {
  it('starts on the embedded default, says where and how, serves, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const p = run({ PORT: '0', VISIO_DATA_DIR: dataDir });
    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(p.out().stderr)?.[1]);
    expect(p.out().stderr).toContain('room provider: standalone');
    expect(p.out().stderr).toContain('local single-user mode');
    expect(p.out().stderr).toContain(dataDir);

    const page = await fetch(`${url}/`, { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Créer une réunion Visio');
    const room = await fetch(`${url}/v1/rooms`, { method: 'POST' });
    expect(room.status).toBe(201);
    expect(existsSync(join(dataDir, 'gateway.sqlite'))).toBe(true);

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const lines = p
      .out()
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === 'request' && l.path === '/v1/rooms' && l.status === 201)).toBe(true);
  });

  it('refuses to start in local mode on a public address, with a clear message', async () => {
    const p = run({ HOST: '0.0.0.0', VISIO_DATA_DIR: tempDir() });
    expect(await p.exited).toBe(2);
    expect(p.out().stderr).toMatch(/only listens on loopback/);
  });
});
