// Where the gateway's time goes: a V8 CPU profile (--cpu-prof) of a gateway child process under load,
// summed by function (self time). Profiling slows the process, so it runs apart from the timed rounds.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Node flags that make the child write its profile to `dir` when it exits (SIGTERM ends main.js cleanly). */
export const cpuProfileFlags = (dir) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'];

/**
 * Self time per function from the .cpuprofile files in `dir`: [{ name, where, ms, share }], largest first.
 * Samples of the first `skipMs` (start-up, module loading) are left out.
 */
export function selfTimes(dir, { root = process.cwd(), skipMs = 0 } = {}) {
  const totals = new Map();
  let all = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    let at = 0;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i] ?? 0;
      if (at < skipMs * 1000) return;
      const { callFrame } = byId.get(id);
      // Waiting for work is not work.
      if (callFrame.functionName === '(idle)') return;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const url = callFrame.url.replace(/^file:\/\//, '');
      const where = url ? `${url.startsWith('/') ? relative(root, url) : url}:${callFrame.lineNumber + 1}` : '';
      const key = `${callFrame.functionName || '(anonymous)'} ${where}`;
      const entry = totals.get(key) ?? { name: callFrame.functionName || '(anonymous)', where, ms: 0 };
      entry.ms += ms;
      all += ms;
      totals.set(key, entry);
    });
  }
  return [...totals.values()].sort((a, b) => b.ms - a.ms).map((e) => ({ ...e, share: e.ms / all }));
}

/** The top `n` lines, ready to print. */
export function formatTop(entries, n = 10) {
  return entries
    .slice(0, n)
    .map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)} %  ${e.name.slice(0, 40).padEnd(40)} ${e.where}`)
    .join('\n');
}
