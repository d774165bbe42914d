/**
 * Self-hosted calendars get their content script only once the agent granted that origin (optional host
 * permission): registered at run time, one script per calendar software, nothing on any other site.
 */
import browser from './browser.js';
import type { SelfHostedEntry } from './settings.js';

const PREFIX = 'visio-cal-';

/** `https://cloud.example.gouv.fr:8443` → `https://cloud.example.gouv.fr/*` (match patterns carry no port). */
export function originPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

export async function syncCalendarScripts(entries: SelfHostedEntry[]): Promise<string[]> {
  const registered = await browser.scripting.getRegisteredContentScripts();
  const ours = registered.filter((s) => s.id.startsWith(PREFIX)).map((s) => s.id);
  if (ours.length > 0) await browser.scripting.unregisterContentScripts({ ids: ours });
  const scripts = [];
  for (const [i, entry] of entries.entries()) {
    const pattern = originPattern(entry.origin);
    if (!(await browser.permissions.contains({ origins: [pattern] }))) continue;
    scripts.push({ id: `${PREFIX}${entry.kind}-${i}`, matches: [pattern], js: [`content/${entry.kind}.js`], runAt: 'document_idle' as const, persistAcrossSessions: true });
  }
  if (scripts.length > 0) await browser.scripting.registerContentScripts(scripts);
  return scripts.map((s) => s.id);
}
