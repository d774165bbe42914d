/** Roundcube with the calendar plugin: the event edit dialog. */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'roundcube',
  editorOpen: (doc) => !!doc.querySelector('.ui-dialog #eventedit'),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['#eventedit'],
      title: ['#edit-title'],
      location: ['#edit-location'],
      description: ['#edit-description'],
      anchor: ['.form-group', '.row'],
    }),
});
