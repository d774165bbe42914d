/**
 * Zimbra classic web client (10.1): the appointment compose view (ZmApptEditView, Appointment.template's
 * ComposeView), as in test/fixtures/zimbra.html. The template's `<id>_subject` / `<id>_location` ids are on
 * table cells; the DwtInputFields inside are `<id>_subject_input` / `<id>_location_input`. Notes are a TinyMCE
 * editor (hidden `<id>_body` textarea, `<id>_body_ifr` iframe): the invitation is written in the iframe's
 * body through its own editing commands, which TinyMCE keeps; the hidden textarea is TinyMCE's to fill.
 */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'zimbra',
  editorOpen: (doc) => !!doc.querySelector('.ZmApptEditView, [id$="_notes"].calendar_edit_notes_separator'),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['.ZmApptEditView', '.ZmApptComposeView'],
      title: ['input[id$="_subject_input"]', 'td[id$="_subject"] input'],
      location: ['input[id$="_location_input"]', 'td[id$="_location"] input'],
      description: ['textarea[id$="_body"]:not([aria-hidden="true"]):not([style*="display: none"])'],
      descriptionFrame: ['iframe[id$="_body_ifr"]'],
    }),
});
