/**
 * Calendar content scripts are registered at run time, only where the agent granted the site (optional host
 * permission, asked from the options page): nothing at install. Outlook on the web and Google Calendar have
 * their fixed addresses; self-hosted calendars one script per entry.
 */
import browser from './browser.js';
import { BUILT_IN_CALENDARS, BUILT_IN_MATCHES, type Settings } from './settings.js';

const PREFIX = 'visio-cal-';

/** `https://cloud.example.gouv.fr:8443` → `https://cloud.example.gouv.fr/*` (match patterns carry no port). */
export function originPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The addresses one set of calendars needs: the public ones' fixed patterns, one pattern per hosted origin. */
export function calendarOrigins(settings: Pick<Settings, 'calendars' | 'selfHosted'>): string[] {
  const origins = [...BUILT_IN_CALENDARS.filter((id) => settings.calendars[id]).flatMap((id) => BUILT_IN_MATCHES[id]), ...settings.selfHosted.map((e) => originPattern(e.origin))];
  return [...new Set(origins)];
}

/** Of those, the ones the browser has not granted yet (asked for together by one click in the options or popup). */
export async function missingOrigins(settings: Pick<Settings, 'calendars' | 'selfHosted'>): Promise<string[]> {
  const missing: string[] = [];
  for (const origin of calendarOrigins(settings)) if (!(await browser.permissions.contains({ origins: [origin] }))) missing.push(origin);
  return missing;
}

async function register(settings: Pick<Settings, 'calendars' | 'selfHosted'>): Promise<string[]> {
  const registered = await browser.scripting.getRegisteredContentScripts();
  const ours = registered.filter((s) => s.id.startsWith(PREFIX)).map((s) => s.id);
  if (ours.length > 0) await browser.scripting.unregisterContentScripts({ ids: ours });
  const wanted: { id: string; kind: string; matches: string[] }[] = [
    ...BUILT_IN_CALENDARS.filter((id) => settings.calendars[id]).map((id) => ({ id: `${PREFIX}${id}`, kind: id, matches: [...BUILT_IN_MATCHES[id]] })),
    ...settings.selfHosted.map((entry, i) => ({ id: `${PREFIX}${entry.kind}-${i}`, kind: entry.kind, matches: [originPattern(entry.origin)] })),
  ];
  const scripts = [];
  for (const { id, kind, matches } of wanted) {
    if (!(await browser.permissions.contains({ origins: matches }))) continue;
    scripts.push({ id, matches, js: [`content/${kind}.js`], runAt: 'document_idle' as const, persistAcrossSessions: true });
  }
  if (scripts.length > 0) await browser.scripting.registerContentScripts(scripts);
  return scripts.map((s) => s.id);
}

// One registration at a time: start-up, the options page, the policy and a permission change can ask together,
// and two interleaved runs fail with "Duplicate script ID". Each run reads the settings when its turn comes: a
// snapshot read before the queue could be older than the run before it (at install, settings read before the
// policy arrived undid the policy's registration).
let queue: Promise<unknown> = Promise.resolve();

export function syncCalendarScripts(read: () => Promise<Pick<Settings, 'calendars' | 'selfHosted'>>): Promise<string[]> {
  const run = queue.then(async () => register(await read()));
  queue = run.catch(() => undefined);
  return run;
}
