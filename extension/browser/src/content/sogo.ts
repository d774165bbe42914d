/** SOGo web UI (AngularJS Material): the appointment editor dialog. */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'sogo',
  editors: (doc) =>
    findEditors(doc, {
      roots: ['md-dialog'],
      title: ['input[ng-model="editor.component.summary"]'],
      location: ['input[ng-model="editor.component.location"]'],
      description: ['textarea[ng-model="editor.component.comment"]'],
      anchor: ['md-input-container'],
    }),
});
