/** The built gateway (`gateway/dist/main.js`) in its own process on a free loopback port, as clients meet it. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GATEWAY_MAIN = join(import.meta.dirname, '..', '..', 'gateway', 'dist', 'main.js');

export interface GatewayProcess {
  url: string;
  dataDir: string;
  pid: number;
  /** Everything the process wrote (JSON log lines on stdout, banner on stderr). */
  output(): { stdout: string; stderr: string };
  stop(): Promise<number | null>;
  /** Sends a signal (SIGKILL: the process dies mid-request, as on a crash) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** `nodeArgs` go before the script (e.g. `--import` of a test probe). */
export async function startGatewayProcess(env: Record<string, string> = {}, timeoutMs = 15_000, nodeArgs: string[] = []): Promise<GatewayProcess> {
  if (!existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: build first (npm test builds every package)`);
  const dataDir = env.VISIO_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'visio-gwp-'));
  const child = spawn(process.execPath, [...nodeArgs, GATEWAY_MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', VISIO_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code}:\n${stderr}`)));
  });
  return {
    url,
    dataDir,
    pid: child.pid!,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (!env.VISIO_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
