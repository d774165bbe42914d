/**
 * A minimal Marionette client (Gecko's remote protocol used by Thunderbird and Firefox): TCP, messages
 * framed as `<byte length>:<JSON>`; commands `[0, id, name, params]`, answers `[1, id, error, result]`.
 */
import { connect, type Socket } from 'node:net';

export class MarionetteError extends Error {
  override readonly name = 'MarionetteError';
  constructor(
    readonly error: string,
    message: string,
    readonly stacktrace?: string,
  ) {
    super(`${error}: ${message}`);
  }
}

export interface Marionette {
  send<T = unknown>(command: string, params?: Record<string, unknown>): Promise<T>;
  /** Runs `script` (a function body; `arguments` holds `args`) in the current context; awaits its value. */
  execute<T = unknown>(script: string, args?: unknown[]): Promise<T>;
  close(): void;
}

export async function connectMarionette(port: number, timeoutMs = 30_000): Promise<Marionette> {
  const deadline = Date.now() + timeoutMs;
  let socket: Socket | null = null;
  let lastError: unknown;
  while (!socket && Date.now() < deadline) {
    try {
      socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!socket) throw new Error(`Marionette did not open port ${port} within ${timeoutMs} ms (${String(lastError)})`);
  const s = socket;

  let buffer = Buffer.alloc(0);
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let greeting: ((v: unknown) => void) | null = null;
  const greeted = new Promise((r) => (greeting = r));
  let closedError: Error | null = null;

  s.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString('ascii'));
      if (buffer.length < colon + 1 + length) return;
      const body = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString('utf8')) as unknown;
      buffer = buffer.subarray(colon + 1 + length);
      if (Array.isArray(body) && body[0] === 1) {
        const [, id, error, result] = body as [number, number, { error: string; message: string; stacktrace?: string } | null, unknown];
        const w = waiting.get(id);
        waiting.delete(id);
        if (!w) continue;
        if (error) w.reject(new MarionetteError(error.error, error.message, error.stacktrace));
        else w.resolve(result);
      } else greeting?.(body);
    }
  });
  s.on('close', () => {
    closedError = new Error('Marionette connection closed');
    for (const w of waiting.values()) w.reject(closedError);
    waiting.clear();
  });
  s.on('error', () => {});
  await greeted;

  let nextId = 1;
  const send = <T>(command: string, params: Record<string, unknown> = {}): Promise<T> => {
    if (closedError) return Promise.reject(closedError);
    const id = nextId++;
    const payload = Buffer.from(JSON.stringify([0, id, command, params]), 'utf8');
    s.write(`${payload.length}:`);
    s.write(payload);
    return new Promise<T>((resolve, reject) => waiting.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  };

  return {
    send,
    async execute<T>(script: string, args: unknown[] = []): Promise<T> {
      const r = await send<{ value: T }>('WebDriver:ExecuteScript', { script, args, newSandbox: false });
      return r.value;
    },
    close: () => s.destroy(),
  };
}
