/**
 * The managed settings an administrator can push to the clients (browser extension in Chromium and Firefox,
 * Thunderbird add-on), described once: key, type, meaning, which client reads it. The gateway's deployment
 * page writes every policy value from here, and tests compare the clients' managed-storage schemas to it,
 * so the policies and what the clients read cannot drift.
 */
import { normalizeServiceUrl } from './service-url.js';
import { ACCESS_LEVELS } from './types.js';

export const MANAGED_CLIENTS = ['chromium', 'firefox', 'thunderbird'] as const;
export type ManagedClient = (typeof MANAGED_CLIENTS)[number];

/** What the deployment page knows about the gateway it is served by. */
export interface DeploymentContext {
  gatewayUrl: string;
  instanceUrl: string;
}

/**
 * The web calendars an administrator can enable in the extension: public ones by their id, self-hosted ones
 * as `<software>:<https origin>` (extension/browser's calendar table; a test checks each has its content script).
 */
export const MANAGED_CALENDARS = { builtIn: ['outlook', 'google'], selfHosted: ['nextcloud', 'sogo', 'zimbra', 'roundcube'] } as const;

export type ManagedValue = string | boolean | string[];

export interface ManagedSetting {
  key: string;
  type: 'string' | 'boolean' | 'array';
  enum?: readonly string[];
  /** For arrays: the items' type. */
  items?: { type: 'string' };
  /** A check beyond the JSON type: an address clients may call, or a calendar entry. */
  format?: 'service-url' | 'calendar';
  clients: readonly ManagedClient[];
  meaning: { fr: string; en: string };
  /** The value the deployment page writes; undefined: left to the agent (the key is only documented). */
  deployed(context: DeploymentContext): ManagedValue | undefined;
}

const BROWSERS: readonly ManagedClient[] = ['chromium', 'firefox'];

export const MANAGED_SETTINGS: readonly ManagedSetting[] = [
  {
    key: 'gatewayUrl',
    type: 'string',
    format: 'service-url',
    clients: MANAGED_CLIENTS,
    meaning: {
      fr: 'Adresse de la passerelle Visio (https). Verrouille le champ dans les options.',
      en: 'Address of the Visio gateway (https). Locks the field in the options.',
    },
    deployed: (c) => c.gatewayUrl,
  },
  {
    key: 'instanceUrl',
    type: 'string',
    format: 'service-url',
    clients: MANAGED_CLIENTS,
    meaning: {
      fr: 'Adresse de l’instance Visio dont les liens sont reconnus. Verrouille le champ.',
      en: 'Address of the Visio instance whose links are recognised. Locks the field.',
    },
    deployed: (c) => c.instanceUrl,
  },
  {
    key: 'accessLevel',
    type: 'string',
    enum: ['default', ...ACCESS_LEVELS],
    clients: BROWSERS,
    meaning: {
      fr: 'Niveau d’accès des nouvelles réunions (default : celui de la passerelle). Verrouille le champ.',
      en: 'Access level of new meetings (default: the gateway’s). Locks the field.',
    },
    deployed: () => 'default',
  },
  {
    key: 'autoAdd',
    type: 'boolean',
    clients: BROWSERS,
    meaning: {
      fr: 'Ajouter une réunion Visio, une fois, à chaque nouvel événement sans réunion, dans les agendas web qui reconnaissent un nouvel événement (SOGo) ; la salle est rendue si l’événement est fermé sans être enregistré. Verrouille le choix.',
      en: 'Add a Visio meeting, once, to each new event with no meeting, in the web calendars that tell a new event (SOGo); the room is given back if the event is closed unsaved. Locks the choice.',
    },
    deployed: () => undefined,
  },
  {
    key: 'enabledCalendars',
    type: 'array',
    items: { type: 'string' },
    format: 'calendar',
    clients: BROWSERS,
    meaning: {
      fr: 'Agendas web enrichis : outlook, google, ou un agenda hébergé sous la forme logiciel:https://origine (nextcloud, sogo, zimbra, roundcube). Verrouille la liste ; l’agent autorise ces sites d’un clic (« Autoriser Visio sur les agendas choisis par votre administration »).',
      en: 'Web calendars enhanced: outlook, google, or a hosted one as software:https://origin (nextcloud, sogo, zimbra, roundcube). Locks the list; the agent allows these sites with one click ("Allow Visio on the calendars chosen by your administration").',
    },
    deployed: () => undefined,
  },
  {
    key: 'releaseOnDelete',
    type: 'boolean',
    clients: ['thunderbird'],
    meaning: {
      fr: 'Libérer la salle quand l’événement qui la porte est supprimé (vrai par défaut).',
      en: 'Release the room when an event carrying it is deleted (default true).',
    },
    deployed: () => true,
  },
  {
    key: 'lang',
    type: 'string',
    enum: ['fr', 'en'],
    clients: ['thunderbird'],
    meaning: {
      fr: 'Langue du bloc d’invitation ; sans valeur, celle de Thunderbird.',
      en: 'Language of the invitation block; unset, Thunderbird’s own.',
    },
    deployed: () => undefined,
  },
];

export function settingsFor(client: ManagedClient): ManagedSetting[] {
  return MANAGED_SETTINGS.filter((s) => s.clients.includes(client));
}

/** The managed configuration the page writes for one client (the object under `3rdparty`). */
export function managedValues(client: ManagedClient, context: DeploymentContext): Record<string, ManagedValue> {
  const out: Record<string, ManagedValue> = {};
  for (const setting of settingsFor(client)) {
    const value = setting.deployed(context);
    if (value !== undefined) out[setting.key] = value;
  }
  return out;
}

type SchemaProperty = { type: string; enum?: string[]; items?: { type: string }; description: string };

/** The JSON schema a client declares as `storage.managed_schema` (Chromium validates policies against it). */
export function managedSchema(client: ManagedClient): { type: 'object'; properties: Record<string, SchemaProperty> } {
  const properties: Record<string, SchemaProperty> = {};
  for (const s of settingsFor(client)) properties[s.key] = { type: s.type, ...(s.enum ? { enum: [...s.enum] } : {}), ...(s.items ? { items: { ...s.items } } : {}), description: s.meaning.en };
  return { type: 'object', properties };
}

export type ManagedCalendarParts = { builtIn: (typeof MANAGED_CALENDARS.builtIn)[number] } | { kind: (typeof MANAGED_CALENDARS.selfHosted)[number]; origin: string };

/** An entry's parts: a public calendar's id, or a hosted one's software and what follows it (not checked). */
export function managedCalendarParts(entry: string): ManagedCalendarParts | null {
  if ((MANAGED_CALENDARS.builtIn as readonly string[]).includes(entry)) return { builtIn: entry as (typeof MANAGED_CALENDARS.builtIn)[number] };
  const at = entry.indexOf(':');
  const kind = entry.slice(0, at);
  if (at < 0 || !(MANAGED_CALENDARS.selfHosted as readonly string[]).includes(kind)) return null;
  return { kind: kind as (typeof MANAGED_CALENDARS.selfHosted)[number], origin: entry.slice(at + 1) };
}

/** One self-hosted or public calendar entry, normalised (`sogo:https://host`), or null. */
export function managedCalendar(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const parts = managedCalendarParts(value);
  if (!parts || 'builtIn' in parts) return parts ? value : null;
  const { kind } = parts;
  const url = normalizeServiceUrl(parts.origin);
  // A calendar is granted by origin: a path would be silently widened to the whole origin.
  return url && new URL(url).pathname === '/' && url.startsWith('https:') ? `${kind}:${new URL(url).origin}` : null;
}

function validValue(setting: ManagedSetting, value: unknown): ManagedValue | null {
  if (setting.type === 'array') {
    if (!Array.isArray(value) || value.length > 50) return null;
    const items = value.map(managedCalendar);
    return items.every((i): i is string => i !== null) ? [...new Set(items)] : null;
  }
  if (typeof value !== setting.type) return null;
  if (setting.enum && !setting.enum.includes(value as string)) return null;
  if (setting.format === 'service-url') return normalizeServiceUrl(value);
  return value as string | boolean;
}

/**
 * What an administrator pushed for one client, checked against the schema: usable values, and the keys
 * whose value is unusable with that value as text (so a client shows it as set but invalid, never drops it
 * silently). Keys the client does not read are left out.
 */
export function validateManaged(client: ManagedClient, raw: unknown): { valid: Record<string, ManagedValue>; invalid: Record<string, string> } {
  const valid: Record<string, ManagedValue> = {};
  const invalid: Record<string, string> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { valid, invalid };
  const r = raw as Record<string, unknown>;
  for (const setting of settingsFor(client)) {
    if (!(setting.key in r) || r[setting.key] === undefined) continue;
    const value = validValue(setting, r[setting.key]);
    if (value === null) invalid[setting.key] = typeof r[setting.key] === 'string' ? (r[setting.key] as string) : JSON.stringify(r[setting.key]);
    else valid[setting.key] = value;
  }
  return { valid, invalid };
}
