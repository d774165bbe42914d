/** The one rule every client follows to choose its language: French first, English for an English UI. */
import type { Lang } from './types.js';

/**
 * The UI language: the agent's own choice when it is `fr` or `en`, else English when the UI language tag
 * (`navigator.language`, Office's `displayLanguage`, Thunderbird's `getUILanguage()`) is English, else French.
 */
export function langFor(uiLanguage: string | null | undefined, choice?: string | null): Lang {
  if (choice === 'fr' || choice === 'en') return choice;
  return /^en(?:$|[-_])/i.test(uiLanguage ?? '') ? 'en' : 'fr';
}
