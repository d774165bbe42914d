/** Google Calendar (calendar.google.com): the full event editor. */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'google',
  editors: (doc) =>
    findEditors(doc, {
      roots: ['[role="main"] form', '[role="dialog"]', '[role="main"]'],
      title: ['input[aria-label="Titre"]', 'input[aria-label="Title"]', 'input[aria-label*="titre" i]', 'input[aria-label*="title" i]'],
      location: ['input[aria-label="Ajouter un lieu"]', 'input[aria-label="Add location"]', 'input[aria-label*="lieu" i]', 'input[aria-label*="location" i]'],
      description: ['div[contenteditable="true"][aria-label="Description"]', 'div[contenteditable="true"][aria-label*="description" i]', 'textarea[aria-label*="description" i]'],
      anchor: ['[jsname][data-visio-anchor]', 'div[role="combobox"]'],
    }),
});
