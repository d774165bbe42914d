/**
 * Settings: the user's choices (storage.local) under the administrator's (storage.managed, filled by
 * Thunderbird's enterprise policies: `3rdparty.Extensions["<add-on id>"]`). A managed value always wins.
 */
import { langFor } from '@visio/shared/lang';
import type { Lang } from '@visio/shared/types';
import { normalizeServiceUrl as normalizeUrl } from '@visio/shared/service-url';
import type { Messenger } from './messenger.js';

export interface Settings {
  gatewayUrl: string | null;
  /** null: the gateway's own instance (GET /v1/config). */
  instanceUrl: string | null;
  lang: Lang;
  /** The invitation language was chosen (by the agent or the administrator); otherwise it follows Thunderbird's. */
  langChosen: boolean;
  releaseOnDelete: boolean;
  /** Which keys the administrator set (shown read-only in the options), valid or not. */
  managed: (keyof StoredSettings)[];
  /** Values the administrator set that cannot be used (shown as such, logged), by key. */
  invalidManaged: Partial<Record<keyof StoredSettings, string>>;
}

export interface StoredSettings {
  gatewayUrl?: string;
  instanceUrl?: string;
  lang?: Lang;
  releaseOnDelete?: boolean;
}

const KEYS = ['gatewayUrl', 'instanceUrl', 'lang', 'releaseOnDelete'] as const;

/** The shared rule for service addresses; Thunderbird also refuses an over-long value. */
export function normalizeServiceUrl(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 2048) return null;
  return normalizeUrl(value);
}

/** The keys of `raw` that are set but cannot be used, with their value as the administrator wrote it. */
function invalidValues(raw: Record<string, unknown>, valid: StoredSettings): Partial<Record<keyof StoredSettings, string>> {
  const out: Partial<Record<keyof StoredSettings, string>> = {};
  for (const key of KEYS) {
    if (raw[key] === undefined || raw[key] === null || key in valid) continue;
    const text = typeof raw[key] === 'string' ? (raw[key] as string) : JSON.stringify(raw[key]);
    out[key] = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
  return out;
}

function sanitize(raw: Record<string, unknown>): StoredSettings {
  const out: StoredSettings = {};
  const gateway = normalizeServiceUrl(raw.gatewayUrl);
  if (gateway) out.gatewayUrl = gateway;
  const instance = normalizeServiceUrl(raw.instanceUrl);
  if (instance) out.instanceUrl = instance;
  if (raw.lang === 'fr' || raw.lang === 'en') out.lang = raw.lang;
  if (typeof raw.releaseOnDelete === 'boolean') out.releaseOnDelete = raw.releaseOnDelete;
  return out;
}

export async function readManaged(messenger: Pick<Messenger, 'storage'>): Promise<StoredSettings> {
  return (await readPolicy(messenger)).valid;
}

/** The administrator's values (3rdparty policy): those that can be used, and those that cannot. */
export async function readPolicy(messenger: Pick<Messenger, 'storage'>): Promise<{ valid: StoredSettings; invalid: Partial<Record<keyof StoredSettings, string>> }> {
  let raw: Record<string, unknown>;
  try {
    raw = await messenger.storage.managed.get(null);
  } catch {
    // No policy for this add-on: storage.managed rejects.
    return { valid: {}, invalid: {} };
  }
  const valid = sanitize(raw);
  return { valid, invalid: invalidValues(raw, valid) };
}

export async function readSettings(messenger: Pick<Messenger, 'storage' | 'i18n'>): Promise<Settings> {
  const [local, policy] = await Promise.all([messenger.storage.local.get([...KEYS]).then(sanitize), readPolicy(messenger)]);
  const managed = policy.valid;
  // An invalid policy value still locks the key: the administrator meant to decide it.
  for (const key of Object.keys(policy.invalid) as (keyof StoredSettings)[]) delete local[key];
  const merged = { ...local, ...managed };
  return {
    gatewayUrl: merged.gatewayUrl ?? null,
    instanceUrl: merged.instanceUrl ?? null,
    lang: merged.lang ?? langFor(messenger.i18n.getUILanguage()),
    langChosen: merged.lang !== undefined,
    releaseOnDelete: merged.releaseOnDelete ?? true,
    managed: KEYS.filter((k) => k in managed || k in policy.invalid),
    invalidManaged: policy.invalid,
  };
}

/** Saves the user's choices; refuses invalid URLs and never overrides a managed value. */
export async function saveSettings(messenger: Pick<Messenger, 'storage'>, input: Record<string, unknown>): Promise<{ ok: true } | { ok: false; field: string }> {
  const policy = await readPolicy(messenger);
  const managed: Record<string, unknown> = { ...policy.valid, ...policy.invalid };
  const toSave: Record<string, unknown> = {};
  for (const key of ['gatewayUrl', 'instanceUrl'] as const) {
    if (!(key in input) || key in managed) continue;
    const raw = input[key];
    if (raw === '' || raw === null) {
      toSave[key] = '';
      continue;
    }
    const url = normalizeServiceUrl(raw);
    if (!url) return { ok: false, field: key };
    toSave[key] = url;
  }
  // '' (the default choice): the invitation language follows Thunderbird's, whatever it becomes.
  if ((input.lang === 'fr' || input.lang === 'en' || input.lang === '') && !('lang' in managed)) toSave.lang = input.lang;
  if (typeof input.releaseOnDelete === 'boolean' && !('releaseOnDelete' in managed)) toSave.releaseOnDelete = input.releaseOnDelete;
  await messenger.storage.local.set(toSave);
  return { ok: true };
}
