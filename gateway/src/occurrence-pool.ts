/**
 * Calendar data read off the event loop: multistatus answers are parsed, and calendar objects parsed
 * and expanded, in worker threads, so a hostile series (FREQ=SECONDLY, thousands of overrides, a rule
 * ical.js never finishes) or a large answer costs a worker its time budget and never stalls the
 * requests of others. A worker over its hard limit is terminated and replaced; the object is reported
 * as over budget.
 */
import { readFileSync } from 'node:fs';
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

/** One `response` of a calendar-query multistatus (RFC 4791 7.8): its href, ETag and calendar data. */
export interface MultistatusEntry {
  href: string;
  etag: string | null;
  /** RFC 6638 3.2.10, when the server gives one (If-Schedule-Tag-Match on the next write). */
  scheduleTag: string | null;
  data: string | null;
}
export type Multistatus = { ok: true; responses: MultistatusEntry[] } | { ok: false; kind: 'invalid' | 'overBudget'; reason: string };

type Job = { type: 'expand'; ics: string; from: number; to: number } | { type: 'multistatus'; xml: string };

interface Task {
  job: Job;
  /** Wall time after which the worker is stopped. */
  hardMs: number;
  /** performance.now() after which the task is not started any more (the request's budget is spent). */
  notAfter: number;
  /** Lower runs first: cheap objects are not kept waiting behind costly ones. */
  priority: number;
  resolve(result: Expanded | Multistatus): void;
}

// The XML parser tsdav itself uses, from tsdav's own dependencies.
const require = createRequire(import.meta.url);
const XML_MODULE = pathToFileURL(createRequire(require.resolve('tsdav')).resolve('xml-js')).href;

// The worker runs plain JavaScript: the built module (dist), also when the caller runs from TypeScript
// sources (tests resolve the "source" condition to src/*.ts).
const OCCURRENCES_MODULE = pathToFileURL(require.resolve('@visio/shared/occurrences').replace(/[\\/]src[\\/]occurrences\.ts$/, '/dist/occurrences.js')).href;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync, readlinkSync } = require('node:fs');
// This thread's CPU time (Linux schedstat), so that budgets count work done, not time waited for a CPU.
let cpuMs = () => performance.now();
let tid = null;
try {
  readFileSync('/proc/thread-self/schedstat', 'utf8');
  cpuMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  tid = readlinkSync('/proc/thread-self').split('/').pop();
} catch {}
parentPort.postMessage({ hello: true, tid });
Promise.all([import(workerData.occurrences), import(workerData.xml)]).then(([{ expandOccurrences, ExpansionLimitError }, xmlJs]) => {
  const xml2js = (xmlJs.default ?? xmlJs).xml2js;
  const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const text = (v) => (v && typeof v === 'object' ? (typeof v._text === 'string' ? v._text : typeof v._cdata === 'string' ? v._cdata : Array.isArray(v._cdata) ? v._cdata.join('') : null) : null);
  function multistatus(xml) {
    // Namespace prefixes dropped, as tsdav does: servers choose their own.
    const doc = xml2js(xml, { compact: true, trim: true, elementNameFn: (name) => name.replace(/^.+:/, '') });
    if (!doc.multistatus) throw new Error('not a WebDAV multistatus');
    return list(doc.multistatus.response).map((r) => {
      const props = Object.assign({}, ...list(r.propstat).map((p) => p.prop || {}));
      return { href: text(list(r.href)[0]) ?? '', etag: text(props.getetag), scheduleTag: text(props['schedule-tag']), data: text(props['calendar-data']) };
    });
  }
  parentPort.on('message', ({ job, limits }) => {
    try {
      if (job.type === 'multistatus') return parentPort.postMessage({ ok: true, responses: multistatus(job.xml) });
      const deadline = cpuMs() + limits.objectMs;
      const occurrences = expandOccurrences(job.ics, { from: new Date(job.from), to: new Date(job.to), maxIterations: limits.maxIterations, maxOccurrences: limits.maxOccurrences, deadline, clock: cpuMs });
      parentPort.postMessage({ ok: true, occurrences });
    } catch (error) {
      const overBudget = error instanceof ExpansionLimitError;
      parentPort.postMessage({ ok: false, kind: overBudget ? 'overBudget' : 'invalid', reason: String((error && error.message) || error).slice(0, 200) });
    }
  });
});
`;

/**
 * A rough cost class read from the text, for ordering only: no rule, a rule of days or longer, then
 * rules of hours, minutes or seconds (where hostile series live) and very large objects.
 */
export function expansionCost(ics: string): number {
  const rules = ics.match(/^RRULE[;:].*$/gim) ?? [];
  const big = ics.length > 256 * 1024 ? 1 : 0;
  if (!rules.length) return big;
  return (rules.some((r) => /FREQ=(SECONDLY|MINUTELY|HOURLY)/i.test(r)) ? 3 : 1) + big;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer?: NodeJS.Timeout;
  idle?: NodeJS.Timeout;
  /** The worker thread's id, to read its CPU time (Linux); null: wall time is used. */
  tid?: string | null;
}

/** CPU milliseconds a thread of this process has run, or null where /proc does not tell. */
function threadCpuMs(tid: string | null | undefined): number | null {
  if (!tid) return null;
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

// An idle worker is stopped after this long: it holds memory, and busy times bring it back.
const IDLE_MS = 30_000;

export function createOccurrencePool(limits: ExpansionLimits, size = Math.max(2, Math.min(4, availableParallelism() - 1))) {
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let closed = false;
  // A worker that ignores its own deadline (a rule stuck inside one ical.js step) is stopped here.
  const expandHardMs = limits.objectMs * 4 + 1000;
  const parseHardMs = limits.objectMs * 8 + 2000;

  function finish(slot: Slot, result: Expanded | Multistatus) {
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
      workerData: { occurrences: OCCURRENCES_MODULE, xml: XML_MODULE },
      // A huge object fails in its worker, not in the gateway.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.unref();
    const slot: Slot = { worker, task: null };
    worker.on('message', (result: Expanded | Multistatus | { hello: true; tid: string | null }) => {
      if ('hello' in result) {
        slot.tid = result.tid;
        return;
      }
      finish(slot, result);
      pump();
      if (!slot.task) {
        slot.idle = setTimeout(() => {
          const i = slots.indexOf(slot);
          if (i < 0 || slot.task) return;
          slots.splice(i, 1);
          void worker.terminate();
        }, IDLE_MS).unref();
      }
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
      clearTimeout(slot.idle);
      slot.task = task;
      // The worker is stopped once it has worked hardMs on the task (its CPU time where known), or
      // after ten times that of wall time whatever it says.
      const started = performance.now();
      let cpuAtStart = threadCpuMs(slot.tid);
      const watch = () => {
        const cpu = threadCpuMs(slot.tid);
        // A new worker tells its thread id with its first message, maybe after its first task began.
        cpuAtStart ??= cpu;
        const worked = cpu !== null && cpuAtStart !== null ? cpu - cpuAtStart : performance.now() - started;
        if (worked > task.hardMs || performance.now() - started > task.hardMs * 10) {
          replace(slot, `${task.job.type === 'expand' ? 'recurrence expansion' : 'reading the answer'} took longer than ${task.hardMs} ms`);
        } else slot.timer = setTimeout(watch, 50);
      };
      slot.timer = setTimeout(watch, 50);
      slot.worker.postMessage({ job: task.job, limits });
    }
  }

  function run(job: Job, notAfter: number, priority: number): Promise<Expanded | Multistatus> {
    return new Promise((resolve) => {
      if (closed) return resolve({ ok: false, kind: 'overBudget', reason: 'the gateway is shutting down' });
      const task = { job, notAfter, priority, hardMs: job.type === 'expand' ? expandHardMs : parseHardMs, resolve };
      // Stable: first come, first served among equals.
      const at = queue.findIndex((t) => t.priority > priority);
      if (at < 0) queue.push(task);
      else queue.splice(at, 0, task);
      pump();
    });
  }

  return {
    /** Occurrences of one object in [from, to), or why it was not expanded. Never rejects. */
    expand: (ics: string, from: Date, to: Date, notAfter = Infinity) => run({ type: 'expand', ics, from: from.getTime(), to: to.getTime() }, notAfter, expansionCost(ics)) as Promise<Expanded>,
    /** The responses of a multistatus answer, or why it could not be read. Never rejects. */
    multistatus: (xml: string) => run({ type: 'multistatus', xml }, Infinity, 0) as Promise<Multistatus>,
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.resolve({ ok: false, kind: 'overBudget', reason: 'the gateway is shutting down' });
      await Promise.all(slots.splice(0).map((s) => (clearTimeout(s.timer), clearTimeout(s.idle), s.worker.terminate())));
    },
  };
}

export type OccurrencePool = ReturnType<typeof createOccurrencePool>;
