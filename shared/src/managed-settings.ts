/**
 * The managed settings an administrator can push to the clients (browser extension in Chromium and Firefox,
 * Thunderbird add-on), described once: key, type, meaning, which client reads it. The gateway's deployment
 * page writes every policy value from here, and tests compare the clients' managed-storage schemas to it,
 * so the policies and what the clients read cannot drift.
 */
import { ACCESS_LEVELS } from './types.js';

export const MANAGED_CLIENTS = ['chromium', 'firefox', 'thunderbird'] as const;
export type ManagedClient = (typeof MANAGED_CLIENTS)[number];

/** What the deployment page knows about the gateway it is served by. */
export interface DeploymentContext {
  gatewayUrl: string;
  instanceUrl: string;
}

export interface ManagedSetting {
  key: string;
  type: 'string' | 'boolean';
  enum?: readonly string[];
  clients: readonly ManagedClient[];
  meaning: { fr: string; en: string };
  /** The value the deployment page writes; undefined: left to the agent (the key is only documented). */
  deployed(context: DeploymentContext): string | boolean | undefined;
}

const BROWSERS: readonly ManagedClient[] = ['chromium', 'firefox'];

export const MANAGED_SETTINGS: readonly ManagedSetting[] = [
  {
    key: 'gatewayUrl',
    type: 'string',
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
export function managedValues(client: ManagedClient, context: DeploymentContext): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const setting of settingsFor(client)) {
    const value = setting.deployed(context);
    if (value !== undefined) out[setting.key] = value;
  }
  return out;
}

/** The JSON schema a client declares as `storage.managed_schema` (Chromium validates policies against it). */
export function managedSchema(client: ManagedClient): { type: 'object'; properties: Record<string, { type: string; enum?: string[]; description: string }> } {
  const properties: Record<string, { type: string; enum?: string[]; description: string }> = {};
  for (const s of settingsFor(client)) properties[s.key] = { type: s.type, ...(s.enum ? { enum: [...s.enum] } : {}), description: s.meaning.en };
  return { type: 'object', properties };
}
