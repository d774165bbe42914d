/** Starts real gateways on loopback (port 0) with a throwaway data folder, and talks to them over HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { startGateway, type RunningGateway } from '../src/server.ts';

export interface TestGateway extends RunningGateway {
  dataDir: string;
  logs: string[];
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T = any>(path: string, init?: Omit<RequestInit, 'body'> & { body?: unknown }): Promise<{ status: number; body: T; headers: Headers }>;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

export function tempDir(prefix = 'visio-gw-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const dataDir = env.VISIO_DATA_DIR ?? tempDir();
  const logs: string[] = [];
  const gateway = await startGateway(
    { PORT: '0', HOST: '127.0.0.1', VISIO_DATA_DIR: dataDir, ...env },
    createLogger('debug', (line) => logs.push(line)),
  );
  cleanups.push(() => gateway.close());
  const fetchIt = (path: string, init?: RequestInit) => fetch(`${gateway.url}${path}`, init);
  return {
    ...gateway,
    dataDir,
    logs,
    fetch: fetchIt,
    async json(path, init = {}) {
      const { body, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (body !== undefined && typeof body !== 'string') headers.set('content-type', 'application/json');
      const response = await fetchIt(path, { ...rest, headers, body: body === undefined || typeof body === 'string' ? (body as string | undefined) : JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
  };
}
