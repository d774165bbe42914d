/** Outlook on the web (outlook.office.com, outlook.office365.com, outlook.live.com): the event compose form. */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'outlook',
  editorOpen: (doc) => doc.location.pathname.includes('/compose'),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['[data-app-section="CalendarCompose"]', '[role="dialog"][aria-label*="vénement" i]', '[role="dialog"][aria-label*="event" i]', '[role="main"] form'],
      title: ['input[aria-label="Ajouter un titre"]', 'input[aria-label="Add a title"]', 'input[aria-label*="titre" i]', 'input[aria-label*="title" i]'],
      location: ['input[aria-label*="emplacement" i]', 'input[aria-label*="location" i]', 'input[aria-label*="salle" i]'],
      description: ['div[contenteditable="true"][aria-label*="corps" i]', 'div[contenteditable="true"][aria-label*="body" i]', 'div[role="textbox"][contenteditable="true"]'],
      anchor: ['[data-visio-anchor]', '.ms-TextField', '[role="combobox"]'],
    }),
});
