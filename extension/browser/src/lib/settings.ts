/**
 * Settings: defaults ← the agent's choices (storage.local: never synced to a browser vendor's cloud) ←
 * what an administrator pushed through managed storage (policies), which also locks those fields.
 */
import { ACCESS_LEVELS, PUBLIC_INSTANCE_URL, type AccessLevel, type Lang } from '@visio/shared/types';
import { normalizeServiceUrl } from '@visio/shared/service-url';
import { managedCalendarParts, validateManaged } from '@visio/shared/managed-settings';
import browser from './browser.js';
import { CALENDARS } from './calendar-table.mjs';
import { resolveLang } from './i18n.js';

type CalendarRow = (typeof CALENDARS)[number];
export type CalendarId = CalendarRow['id'];
/** A public calendar at fixed addresses (`matches` in the table). */
export type BuiltInCalendar = Extract<CalendarRow, { matches: readonly string[] }>['id'];
/** A calendar the agent points at its own server's origin. */
export type SelfHostedCalendar = Exclude<CalendarId, BuiltInCalendar>;

const isBuiltIn = (row: CalendarRow): row is Extract<CalendarRow, { matches: readonly string[] }> => 'matches' in row;
export const CALENDAR_IDS: readonly CalendarId[] = CALENDARS.map((row) => row.id);
export const BUILT_IN_CALENDARS: readonly BuiltInCalendar[] = CALENDARS.filter(isBuiltIn).map((row) => row.id);
export const SELF_HOSTED_CALENDARS = CALENDAR_IDS.filter((id): id is SelfHostedCalendar => !(BUILT_IN_CALENDARS as readonly string[]).includes(id));
export const CALENDAR_NAMES = Object.fromEntries(CALENDARS.map((row) => [row.id, row.name])) as Record<CalendarId, string>;
/** The public calendars' addresses, asked for when the agent turns them on. */
export const BUILT_IN_MATCHES = Object.fromEntries(CALENDARS.filter(isBuiltIn).map((row): [string, readonly string[]] => [row.id, row.matches])) as Record<BuiltInCalendar, readonly string[]>;

/** Every public calendar, each on or off. */
const builtInFlags = (on: (id: BuiltInCalendar) => boolean) => Object.fromEntries(BUILT_IN_CALENDARS.map((id) => [id, on(id)])) as Record<BuiltInCalendar, boolean>;

export interface SelfHostedEntry {
  kind: SelfHostedCalendar;
  /** Bare origin, e.g. `https://cloud.example.gouv.fr`. */
  origin: string;
}

export interface Settings {
  gatewayUrl: string;
  instanceUrl: string;
  lang: Lang | 'auto';
  accessLevel: AccessLevel | 'default';
  reminders: boolean;
  reminderMinutes: number;
  /** Add a Visio meeting by itself to a new event's editor (content/core.ts decides what is new). */
  autoAdd: boolean;
  calendars: Record<BuiltInCalendar, boolean>;
  selfHosted: SelfHostedEntry[];
}

/**
 * The keys an administrator can push (and so lock), as @visio/shared/managed-settings names them;
 * `enabledCalendars` decides `calendars` and `selfHosted`.
 */
export const MANAGEABLE = ['gatewayUrl', 'instanceUrl', 'accessLevel', 'autoAdd', 'enabledCalendars'] as const;
export type Manageable = (typeof MANAGEABLE)[number];

export interface EffectiveSettings extends Settings {
  /** Keys set by policy with a usable value: shown read-only. */
  locked: Manageable[];
  /** Keys set by policy with an unusable value (as text): shown as invalid, the agent's own value applies. */
  invalid: Partial<Record<Manageable, string>>;
  uiLang: Lang;
}

export const DEFAULTS: Settings = {
  gatewayUrl: 'http://127.0.0.1:8787',
  instanceUrl: PUBLIC_INSTANCE_URL,
  lang: 'auto',
  accessLevel: 'default',
  reminders: false,
  reminderMinutes: 5,
  autoAdd: false,
  // Off until the agent turns them on (and grants the site) in the options.
  calendars: builtInFlags(() => false),
  selfHosted: [],
};

const KEY = 'settings';

/** A bare origin (`https://host[:port]`), for a calendar the agent enables. */
export function cleanOrigin(value: unknown): string | null {
  const url = normalizeServiceUrl(value);
  return url ? new URL(url).origin : null;
}

function sanitize(raw: unknown): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  const gateway = normalizeServiceUrl(r.gatewayUrl);
  if (gateway) out.gatewayUrl = gateway;
  const instance = normalizeServiceUrl(r.instanceUrl);
  if (instance) out.instanceUrl = instance;
  if (r.lang === 'fr' || r.lang === 'en' || r.lang === 'auto') out.lang = r.lang;
  if (r.accessLevel === 'default' || (ACCESS_LEVELS as readonly unknown[]).includes(r.accessLevel)) out.accessLevel = r.accessLevel as Settings['accessLevel'];
  if (typeof r.reminders === 'boolean') out.reminders = r.reminders;
  if (typeof r.autoAdd === 'boolean') out.autoAdd = r.autoAdd;
  if (typeof r.reminderMinutes === 'number' && Number.isInteger(r.reminderMinutes) && r.reminderMinutes >= 1 && r.reminderMinutes <= 60) out.reminderMinutes = r.reminderMinutes;
  if (r.calendars && typeof r.calendars === 'object') {
    const c = r.calendars as Record<string, unknown>;
    out.calendars = builtInFlags((id) => c[id] === true);
  }
  if (Array.isArray(r.selfHosted)) {
    out.selfHosted = r.selfHosted.flatMap((e: unknown) => {
      const entry = e as Partial<SelfHostedEntry> | null;
      const origin = cleanOrigin(entry?.origin);
      return origin && (SELF_HOSTED_CALENDARS as readonly unknown[]).includes(entry?.kind) ? [{ kind: entry!.kind!, origin }] : [];
    });
  }
  return out;
}

/** What policy pushed, as managed storage holds it; Firefox throws when no policy names the extension: "nothing". */
async function managedRaw(): Promise<Record<string, unknown>> {
  try {
    return (await browser.storage.managed.get(null)) ?? {};
  } catch {
    return {};
  }
}

// What policy pushed last time, so pages can show their first state before managed storage answers (it can
// take seconds on a cold browser start); the answer then replaces it.
const POLICY_CACHE = 'policyCache';

// Chromium and Firefox read the same keys (shared schema); the name only picks the schema's client.
const CLIENT = typeof (globalThis as { chrome?: { offscreen?: unknown } }).chrome?.offscreen === 'object' ? 'chromium' : 'firefox';

/** Policy over the agent's choices, checked by the shared schema (validateManaged): never re-checked here. */
function effective(stored: unknown, raw: unknown): EffectiveSettings {
  const { valid, invalid } = validateManaged(CLIENT, raw);
  const settings: Settings = { ...DEFAULTS, ...sanitize(stored) };
  const locked: Manageable[] = [];
  for (const key of MANAGEABLE) {
    const value = valid[key];
    if (value === undefined) continue;
    locked.push(key);
    if (key === 'enabledCalendars' && Array.isArray(value)) {
      // Entries are `outlook`, `google` or `<software>:<https origin>`, already normalised by managedCalendar.
      settings.calendars = builtInFlags((id) => value.includes(id));
      settings.selfHosted = value.flatMap((entry) => {
        const parts = managedCalendarParts(entry);
        return parts && 'kind' in parts && (SELF_HOSTED_CALENDARS as readonly string[]).includes(parts.kind) ? [{ kind: parts.kind as SelfHostedCalendar, origin: parts.origin }] : [];
      });
    } else (settings as unknown as Record<string, unknown>)[key] = value;
  }
  const shownInvalid = Object.fromEntries(Object.entries(invalid).filter(([key]) => (MANAGEABLE as readonly string[]).includes(key))) as EffectiveSettings['invalid'];
  return { ...settings, locked, invalid: shownInvalid, uiLang: resolveLang(settings.lang, browser.i18n.getUILanguage()) };
}

/**
 * The effective settings. With `cachedPolicy`, policy values are last time's (no wait for managed storage):
 * for a first render, to be followed by the full call.
 */
export async function loadSettings(options: { cachedPolicy?: boolean } = {}): Promise<EffectiveSettings> {
  if (options.cachedPolicy) {
    const stored = await browser.storage.local.get([KEY, POLICY_CACHE]);
    return effective(stored[KEY], stored[POLICY_CACHE]);
  }
  const [stored, managed] = await Promise.all([browser.storage.local.get([KEY, POLICY_CACHE]), managedRaw()]);
  if (JSON.stringify(stored[POLICY_CACHE] ?? {}) !== JSON.stringify(managed)) void browser.storage.local.set({ [POLICY_CACHE]: managed });
  return effective(stored[KEY], managed);
}

/** What policy decides in a load: values, locks and invalid keys. */
function policyPart(s: EffectiveSettings): string {
  return JSON.stringify([s.gatewayUrl, s.instanceUrl, s.accessLevel, s.autoAdd, s.locked.includes('enabledCalendars') ? [s.calendars, s.selfHosted] : null, s.locked, s.invalid]);
}

/** True when two loads differ in what policy decides (values, locks, invalid keys). */
export function policyDiffers(a: EffectiveSettings, b: EffectiveSettings): boolean {
  return policyPart(a) !== policyPart(b);
}

/** The settings fields each policy key decides. */
const DECIDES: Record<Manageable, (keyof Settings)[]> = {
  gatewayUrl: ['gatewayUrl'],
  instanceUrl: ['instanceUrl'],
  accessLevel: ['accessLevel'],
  autoAdd: ['autoAdd'],
  enabledCalendars: ['calendars', 'selfHosted'],
};

/** Saves the agent's own choices; locked fields are never stored (policy wins anyway). */
export async function saveSettings(changes: Partial<Settings>): Promise<EffectiveSettings> {
  const stored = await browser.storage.local.get(KEY);
  const previous = sanitize(stored[KEY]);
  const next: Record<string, unknown> = { ...previous, ...sanitize(changes) };
  // A locked field keeps the agent's earlier choice (back in force if the policy goes), never the policy's value.
  const { locked } = effective(stored[KEY], await managedRaw());
  for (const field of locked.flatMap((key) => DECIDES[key])) {
    if (field in previous) next[field] = previous[field];
    else delete next[field];
  }
  await browser.storage.local.set({ [KEY]: next });
  return loadSettings();
}

export function onSettingsChanged(listener: () => void): void {
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'local' || area === 'managed') listener();
  });
}
