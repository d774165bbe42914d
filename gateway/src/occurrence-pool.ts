/**
 * Recurrence expansion off the event loop: calendar objects are parsed and expanded in worker threads,
 * so a hostile series (FREQ=SECONDLY, thousands of overrides, a rule ical.js never finishes) costs a
 * worker its time budget and never stalls the requests of others. A worker over its hard limit is
 * terminated and replaced; the object is reported as over budget.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Occurrence } from '@visio/shared/occurrences';

export interface ExpansionLimits {
  /** Time one object may take in a worker. */
  objectMs: number;
  maxIterations: number;
  maxOccurrences: number;
}

export type Expanded = { ok: true; occurrences: Occurrence[] } | { ok: false; kind: 'invalid' | 'overBudget'; reason: string };

interface Task {
  ics: string;
  from: number;
  to: number;
  /** performance.now() after which the task is not started any more (the request's budget is spent). */
  notAfter: number;
  resolve(result: Expanded): void;
}

// The worker runs plain JavaScript: the built module (dist), also when the caller runs from TypeScript
// sources (tests resolve the "source" condition to src/*.ts).
const OCCURRENCES_MODULE = pathToFileURL(
  createRequire(import.meta.url).resolve('@visio/shared/occurrences').replace(/[\\/]src[\\/]occurrences\.ts$/, '/dist/occurrences.js'),
).href;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ expandOccurrences, ExpansionLimitError }) => {
  parentPort.on('message', ({ ics, from, to, limits }) => {
    try {
      const deadline = performance.now() + limits.objectMs;
      const occurrences = expandOccurrences(ics, { from: new Date(from), to: new Date(to), maxIterations: limits.maxIterations, maxOccurrences: limits.maxOccurrences, deadline });
      parentPort.postMessage({ ok: true, occurrences });
    } catch (error) {
      const overBudget = error instanceof ExpansionLimitError;
      parentPort.postMessage({ ok: false, kind: overBudget ? 'overBudget' : 'invalid', reason: String((error && error.message) || error).slice(0, 200) });
    }
  });
});
`;

interface Slot {
  worker: Worker;
  task: Task | null;
  timer?: NodeJS.Timeout;
}

export function createOccurrencePool(limits: ExpansionLimits, size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let closed = false;
  // A worker that ignores its own deadline (a rule stuck inside one ical.js step) is stopped here.
  const hardMs = limits.objectMs * 2 + 250;

  function finish(slot: Slot, result: Expanded) {
    const task = slot.task;
    clearTimeout(slot.timer);
    slot.task = null;
    task?.resolve(result);
  }

  function replace(slot: Slot, reason: string) {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    finish(slot, { ok: false, kind: 'overBudget', reason });
    void slot.worker.terminate();
    pump();
  }

  function spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: OCCURRENCES_MODULE },
      // A huge object fails in its worker, not in the gateway.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.unref();
    const slot: Slot = { worker, task: null };
    worker.on('message', (result: Expanded) => {
      finish(slot, result);
      pump();
    });
    worker.on('error', (error) => replace(slot, `expansion failed: ${error.message.slice(0, 150)}`));
    worker.on('exit', () => {
      if (slots.includes(slot)) replace(slot, 'expansion worker stopped');
    });
    slots.push(slot);
    return slot;
  }

  function pump() {
    while (!closed && queue.length) {
      const slot = slots.find((s) => !s.task) ?? (slots.length < size ? spawn() : null);
      if (!slot) return;
      const task = queue.shift()!;
      if (performance.now() > task.notAfter) {
        task.resolve({ ok: false, kind: 'overBudget', reason: "not expanded: the request's expansion time budget was spent" });
        continue;
      }
      slot.task = task;
      slot.timer = setTimeout(() => replace(slot, `recurrence expansion took longer than ${hardMs} ms`), hardMs);
      slot.worker.postMessage({ ics: task.ics, from: task.from, to: task.to, limits });
    }
  }

  return {
    /** Occurrences of one object in [from, to), or why it was not expanded. Never rejects. */
    expand(ics: string, from: Date, to: Date, notAfter = Infinity): Promise<Expanded> {
      return new Promise((resolve) => {
        if (closed) return resolve({ ok: false, kind: 'overBudget', reason: 'the gateway is shutting down' });
        queue.push({ ics, from: from.getTime(), to: to.getTime(), notAfter, resolve });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.resolve({ ok: false, kind: 'overBudget', reason: 'the gateway is shutting down' });
      await Promise.all(slots.splice(0).map((s) => (clearTimeout(s.timer), s.worker.terminate())));
    },
  };
}

export type OccurrencePool = ReturnType<typeof createOccurrencePool>;
