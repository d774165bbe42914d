/** Free loopback ports for servers that cannot listen on port 0 themselves (Radicale, SOGo, PostgreSQL). */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Thrown by a probe when the server process died: waiting longer is pointless. */
export class ProcessExited extends Error {
  override readonly name = 'ProcessExited';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` resolves true, or fails with `what` and the last error after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, diagnostics: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      if (error instanceof ProcessExited) throw new Error(`${what} failed to start: ${error.message}\n${diagnostics()}`);
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s${last ? ` (last error: ${(last as Error).message})` : ''}\n${diagnostics()}`);
}
