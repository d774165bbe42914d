/**
 * SQLite's WAL checkpoints, run on a worker thread with its own connection. Done by the writing connection
 * (wal_autocheckpoint), a checkpoint copies thousands of pages back while the event loop waits, and every
 * request in flight waits with it: the room creation's p99 was twice the bare route's. A PASSIVE checkpoint
 * never waits for the writer, and a writer reuses the WAL from its start once a checkpoint got through it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS run by the worker (eval): no build step, the same under the tests and the built gateway.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Checkpoints `file` every `everyMs`; `onFailure` runs once if the worker stops on its own (an error). */
export function startCheckpointer(file: string, onFailure: (error: Error) => void, everyMs = 500): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, module, everyMs } });
  // Never what keeps the process alive: a store left open by its owner must not hang the exit.
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('error', (error) => {
    if (!stopping) onFailure(error);
  });
  worker.once('exit', (code) => {
    if (!stopping && code !== 0) onFailure(new Error(`checkpoint worker exited with ${code}`));
  });
  return {
    async stop() {
      stopping = true;
      // Held until it has closed its connection: awaited at the end of a script, an unref'd worker's exit
      // would never come.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
