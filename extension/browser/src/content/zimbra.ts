/** Zimbra web client (classic): the appointment edit view. */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'zimbra',
  editors: (doc) =>
    findEditors(doc, {
      roots: ['.ZmApptEditView', '.ZmApptComposeView'],
      title: ['input[id$="_subject"]'],
      location: ['input[id$="_location"]'],
      description: ['textarea[id$="_notes"]', 'textarea.ZmHtmlEditorTextArea', 'textarea[id$="_body"]'],
      anchor: ['td', 'div'],
    }),
});
