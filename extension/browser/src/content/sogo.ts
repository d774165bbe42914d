/**
 * SOGo 5 web UI (AngularJS Material): the appointment editor dialog (UIxAppointmentEditorTemplate), as
 * captured from Debian's SOGo 5.8 in test/fixtures/sogo.html. The task editor (same dialog, no free/busy
 * "isTransparent" switch) gets no button. The button goes under the Lieu / Agenda row, whose two halves
 * keep their width. A room added here gets the event's schedule when the agent saves.
 */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'sogo',
  // Its editor's times are read from SOGo's own model when the agent saves (background/sogo-model.ts).
  scheduleReader: 'sogo',
  editorOpen: (doc) => !!doc.querySelector('md-dialog form[name="eventForm"] md-icon[aria-label="event"]'),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['md-dialog'],
      requires: ['[ng-model="editor.component.isTransparent"]'],
      title: ['input[ng-model="editor.component.summary"]'],
      location: ['input[ng-model="editor.component.location"]'],
      description: ['textarea[ng-model="editor.component.comment"]'],
      anchor: ['.sg-form-section > [layout="row"]', 'md-input-container'],
      save: ['button[type="submit"]', '[ng-click^="editor.save"]'],
    }),
});
