/** Fills `data-i18n` elements from _locales and sets the document language. */
import { langFor } from '@visio/shared/lang';

export interface I18n {
  getMessage(name: string, substitutions?: string | string[]): string;
  getUILanguage(): string;
}

export function localize(doc: Document, i18n: I18n): void {
  const lang = langFor(i18n.getUILanguage());
  doc.documentElement.lang = lang;
  for (const el of doc.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const text = i18n.getMessage(el.dataset.i18n!);
    if (text) el.textContent = text;
  }
}
