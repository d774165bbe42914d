/** The agent's choices, kept in Office's roaming settings (they follow the mailbox to every Outlook). */
import { ACCESS_LEVELS, type AccessLevel } from '@visio/shared';
import { officeCall } from './office/item.js';

export type LangChoice = 'auto' | 'fr' | 'en';

export interface AddinSettings {
  /** Null: the gateway's default. */
  accessLevel: AccessLevel | null;
  autoAdd: boolean;
  lang: LangChoice;
}

export interface SettingsStore {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  saveAsync(callback?: (result: Office.AsyncResult<void>) => void): void;
}

export function readSettings(store: SettingsStore | undefined): AddinSettings {
  const level = store?.get('accessLevel');
  const lang = store?.get('lang');
  return {
    accessLevel: typeof level === 'string' && (ACCESS_LEVELS as readonly string[]).includes(level) ? (level as AccessLevel) : null,
    autoAdd: store?.get('autoAdd') === true,
    lang: lang === 'fr' || lang === 'en' ? lang : 'auto',
  };
}

export async function saveSettings(store: SettingsStore, settings: AddinSettings): Promise<void> {
  store.set('accessLevel', settings.accessLevel ?? '');
  store.set('autoAdd', settings.autoAdd);
  store.set('lang', settings.lang);
  await officeCall<void>((cb) => store.saveAsync(cb));
}
