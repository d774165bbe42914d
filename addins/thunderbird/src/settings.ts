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
  releaseOnDelete: boolean;
  /** Which keys the administrator set (shown read-only in the options). */
  managed: (keyof StoredSettings)[];
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
  try {
    return sanitize(await messenger.storage.managed.get(null));
  } catch {
    // No policy for this add-on: storage.managed rejects.
    return {};
  }
}

export async function readSettings(messenger: Pick<Messenger, 'storage' | 'i18n'>): Promise<Settings> {
  const [local, managed] = await Promise.all([messenger.storage.local.get([...KEYS]).then(sanitize), readManaged(messenger)]);
  const merged = { ...local, ...managed };
  return {
    gatewayUrl: merged.gatewayUrl ?? null,
    instanceUrl: merged.instanceUrl ?? null,
    lang: merged.lang ?? langFor(messenger.i18n.getUILanguage()),
    releaseOnDelete: merged.releaseOnDelete ?? true,
    managed: KEYS.filter((k) => k in managed),
  };
}

/** Saves the user's choices; refuses invalid URLs and never overrides a managed value. */
export async function saveSettings(messenger: Pick<Messenger, 'storage'>, input: Record<string, unknown>): Promise<{ ok: true } | { ok: false; field: string }> {
  const managed = await readManaged(messenger);
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
  if ((input.lang === 'fr' || input.lang === 'en') && !('lang' in managed)) toSave.lang = input.lang;
  if (typeof input.releaseOnDelete === 'boolean' && !('releaseOnDelete' in managed)) toSave.releaseOnDelete = input.releaseOnDelete;
  await messenger.storage.local.set(toSave);
  return { ok: true };
}
