/**
 * SOGo 5 web UI (AngularJS Material): the appointment editor dialog (UIxAppointmentEditorTemplate), as
 * captured from Debian's SOGo 5.8 in test/fixtures/sogo.html. The task editor (same dialog, no free/busy
 * "isTransparent" switch) gets no button. The button goes under the Lieu / Agenda row, whose two halves
 * keep their width. A room added here gets the event's schedule when the agent saves. A new event: the editor
 * opens with an empty title, which SOGo requires to save (the template's `required`), so an event once saved
 * always opens with one.
 */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'sogo',
  // Its editor's times are read from SOGo's own model when the agent saves (background/sogo-model.ts).
  scheduleReader: 'sogo',
  editorOpen: (doc) => !!doc.querySelector('md-dialog form[name="eventForm"] md-icon[aria-label="event"]'),
  isNewEvent: (editor) => editor.title?.value.trim() === '',
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
